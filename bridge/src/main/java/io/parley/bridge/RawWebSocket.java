package io.parley.bridge;

import io.parley.bridge.netty.SharedFrame;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * The raw endpoint {@code /eventbus/websocket}: one bridge frame per websocket message, both
 * ways. Frames go out as binary messages, as Vert.x's stock bridge writes them; clients may send
 * text or binary.
 */
final class RawWebSocket extends WebSocketTransport {

  RawWebSocket(ServerWebSocket socket, int maxQueuedBytes) {
    super(socket, maxQueuedBytes);
  }

  @Override
  void received(String message, Handler<Buffer> frames) {
    frames.handle(Buffer.buffer(message));
  }

  @Override
  SharedFrame message(Delivery delivery) {
    return delivery.raw();
  }

  @Override
  public void send(Buffer frame) {
    channel.sendBinary(frame.getBytes());
  }

  @Override
  public void heartbeat() {
    // the raw endpoint has no heartbeat frame; clients ping
  }

  @Override
  public void close(int code, String reason) {
    closeSocket(code, reason);
  }
}
