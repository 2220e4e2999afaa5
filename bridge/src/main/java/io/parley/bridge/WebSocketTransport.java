package io.parley.bridge;

import io.parley.bridge.netty.SharedFrame;
import io.parley.bridge.netty.WebSocketChannel;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * What both websocket transports share: reading through Vert.x (handshake, pings, closing stay
 * Vert.x's), writing through the socket's {@link WebSocketChannel} (shared frames, one flush per
 * burst, the bound on unsent bytes). A frame the websocket layer refuses closes this socket, and
 * only it, with the code RFC 6455 gives: 1009 over {@code bridge.maxFrameBytes}, 1007 for text
 * that is not UTF-8 (and for a binary message that is not, since a bridge frame is JSON text).
 */
abstract class WebSocketTransport implements Transport {

  static final short INVALID_PAYLOAD = 1007;

  private final ServerWebSocket socket;
  final WebSocketChannel channel;

  WebSocketTransport(ServerWebSocket socket, int maxQueuedBytes) {
    this.socket = socket;
    this.channel = WebSocketChannel.of(socket, maxQueuedBytes);
  }

  @Override
  public void start(Handler<Buffer> frames, Handler<Throwable> failed, Handler<Void> closed) {
    socket.closeHandler(v -> closed.handle(null));
    socket.exceptionHandler(failure -> {
      int code = WebSocketChannel.closeCodeOf(failure);
      if (code > 0) {
        closeSocket(code, failure.getMessage());
      }
      failed.handle(failure);
    });
    socket.textMessageHandler(text -> received(text, frames));
    socket.binaryMessageHandler(bytes -> {
      String text = strictUtf8(bytes);
      if (text == null) {
        closeSocket(INVALID_PAYLOAD, "a bridge frame is UTF-8 JSON text");
      } else {
        received(text, frames);
      }
    });
    opened();
  }

  /** One websocket message from the client, which may hold several bridge frames. */
  abstract void received(String message, Handler<Buffer> frames);

  /** What the transport says when the socket opens. */
  void opened() {
  }

  /** A delivery as this transport's websocket message, shared by every member socket. */
  abstract SharedFrame message(Delivery delivery);

  @Override
  public boolean writable() {
    return channel.writable();
  }

  @Override
  public void deliver(Delivery delivery) {
    channel.queue(message(delivery));
  }

  @Override
  public void flush() {
    channel.flush();
  }

  void closeSocket(int code, String reason) {
    channel.beforeClose();
    socket.close((short) code, reason);
  }

  void closeSocket() {
    channel.beforeClose();
    socket.close();
  }

  private static String strictUtf8(Buffer bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes.getBytes())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
