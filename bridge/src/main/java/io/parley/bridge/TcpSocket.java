package io.parley.bridge;

import io.parley.bridge.netty.TcpChannel;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

/**
 * The TCP event-bus bridge ({@code tcp.port}), as {@code io.vertx:vertx-tcp-eventbus-bridge}'s
 * clients speak it: each frame a 4-byte big-endian length and UTF-8 JSON ({@link TcpFraming}),
 * deliveries and replies as {@code message}, {@code pong} for a {@code ping}
 * ({@link Frames#TCP}); writes go through {@link TcpChannel}, so a room's delivery is one shared
 * buffer flushed once per burst, as on the websocket endpoints. For services in any language; a browser's token works here too, with a
 * browser's rights. A length prefix out of bounds is answered with an {@code err} and closes
 * this connection; TCP has no close code, so every close is told by the {@code err} before it.
 */
final class TcpSocket implements Transport {

  private final NetSocket socket;
  private final TcpChannel channel;
  private final int maxFrameBytes;
  private TcpFraming framing;

  TcpSocket(NetSocket socket, int maxQueuedBytes, int maxFrameBytes) {
    this.socket = socket;
    this.channel = TcpChannel.of(socket, maxQueuedBytes);
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  public void start(Handler<Buffer> frames, Handler<Throwable> failed, Handler<Void> closed) {
    framing = new TcpFraming(maxFrameBytes, frames, length -> {
      boolean tooLarge = length > maxFrameBytes;
      String message = tooLarge
        ? "frame length " + length + " is over bridge.maxFrameBytes (" + maxFrameBytes + "): closing"
        : "frame length " + length + " is negative: closing";
      send(Frames.error(tooLarge ? Frames.TOO_LARGE : Frames.INVALID_FRAME, tooLarge ? 413 : 400, message));
      socket.close();
      failed.handle(new FramingFailure(message, tooLarge));
    });
    socket.handler(framing);
    socket.exceptionHandler(failed);
    socket.closeHandler(closed);
  }

  @Override
  public Frames frames() {
    return Frames.TCP;
  }

  @Override
  public boolean writable() {
    return channel.writable();
  }

  @Override
  public void send(Buffer frame) {
    channel.send(Frames.lengthPrefixed(frame));
  }

  @Override
  public void deliver(Delivery delivery) {
    channel.queue(delivery.tcp());
  }

  @Override
  public void flush() {
    channel.flush();
  }

  @Override
  public void heartbeat() {
    // the TCP bridge has no heartbeat frame; clients ping
  }

  @Override
  public void close(int code, String reason) {
    framing.stop();
    channel.beforeClose();
    socket.close();
  }
}
