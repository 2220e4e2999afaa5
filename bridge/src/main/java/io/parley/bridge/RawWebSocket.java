package io.parley.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

/**
 * The raw endpoint {@code /eventbus/websocket}: one bridge frame per websocket message, both
 * ways. Frames go out as binary messages, as Vert.x's stock bridge writes them.
 */
final class RawWebSocket extends WebSocketClient {

  RawWebSocket(ServerWebSocket socket, int maxQueuedBytes) {
    super(socket, maxQueuedBytes);
  }

  @Override
  void received(String message, Handler<Buffer> frames) {
    frames.handle(Buffer.buffer(message));
  }

  @Override
  ByteBuf message(Delivery delivery) {
    return delivery.raw();
  }

  @Override
  WebSocketFrame frame(ByteBuf payload) {
    return new BinaryWebSocketFrame(payload);
  }

  @Override
  public void send(Buffer frame) {
    sendNow(frame.getBytes());
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
