package io.parley.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;

import java.nio.charset.StandardCharsets;

/**
 * A websocket client socket, written to through its Netty channel: deliveries are queued with
 * {@code write} and go out with one {@code flush} per burst, and each is a websocket frame
 * encoded once and shared by every member socket (Vert.x's {@link WebSocketInternal} gives the channel; its
 * public API flushes every message). Reading, handshake and closing stay Vert.x's.
 *
 * <p>A delivery is already a whole frame, so it enters the pipeline where the frame encoder
 * sits and passes only the handlers between it and the socket (TLS, when there is TLS): the
 * handlers after it (Vert.x's, the encoder, a compression extension) have nothing to do with
 * it, and passing them was a good part of a delivery's cost. Replies and closes are frames
 * for the encoder and take the whole pipeline; each channel keeps its writes in call order.
 */
abstract class WebSocketClient implements ClientSocket {

  private final ServerWebSocket socket;
  private final ChannelHandlerContext channel;
  /** Where whole frames enter: the frame encoder's place, so the next handler towards the socket gets them. */
  private final ChannelHandlerContext frames;
  private boolean unflushed;

  WebSocketClient(ServerWebSocket socket, int maxQueuedBytes) {
    this.socket = socket;
    this.channel = ((WebSocketInternal) socket).channelHandlerContext();
    ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
    this.frames = encoder != null ? encoder : channel;
    // unwritable (so: too slow, see deliver) only past this much unsent
    channel.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxQueuedBytes / 2, maxQueuedBytes));
  }

  @Override
  public void start(Handler<Buffer> frames, Handler<Throwable> failed, Handler<Void> closed) {
    socket.closeHandler(v -> closed.handle(null));
    socket.exceptionHandler(failure -> {
      if (failure instanceof CorruptedWebSocketFrameException corrupted) {
        // a frame over bridge.maxFrameBytes: this socket, and only it, closes (1009)
        socket.close((short) corrupted.closeStatus().code(), corrupted.getMessage());
      }
      failed.handle(failure);
    });
    socket.textMessageHandler(text -> received(text, frames));
    socket.binaryMessageHandler(bytes -> received(bytes.toString(StandardCharsets.UTF_8), frames));
    opened();
  }

  /** One websocket message from the client, which may hold several bridge frames. */
  abstract void received(String message, Handler<Buffer> frames);

  /** What the transport says when the socket opens. */
  void opened() {
  }

  /** A delivery as this transport's websocket message, header included, shared by every member socket. */
  abstract ByteBuf message(Delivery delivery);

  /** A frame of this transport around {@code payload} (retained by the frame). */
  abstract WebSocketFrame frame(ByteBuf payload);

  @Override
  public boolean deliver(Delivery delivery) {
    if (!channel.channel().isWritable()) {
      return false;
    }
    frames.write(message(delivery).retainedDuplicate(), frames.voidPromise());
    unflushed = true;
    return true;
  }

  @Override
  public void flush() {
    if (unflushed) {
      unflushed = false;
      frames.flush();
    }
  }

  /** Writes this socket's own message (already in the transport's framing) and flushes. */
  void sendNow(byte[] message) {
    channel.writeAndFlush(frame(Unpooled.wrappedBuffer(message)), channel.voidPromise());
    unflushed = false;
  }

  void closeSocket(int code, String reason) {
    socket.close((short) code, reason);
  }

  void closeSocket() {
    socket.close();
  }
}
