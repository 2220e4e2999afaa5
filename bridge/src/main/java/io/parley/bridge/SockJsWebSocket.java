package io.parley.bridge;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;

/**
 * SockJS's websocket transport, {@code /eventbus/<server>/<session>/websocket}, as
 * sockjs-client speaks it: {@code o} on open, {@code h} heartbeats, {@code a[...]} messages,
 * {@code c[code,"reason"]} before closing; the client sends JSON arrays of strings.
 */
final class SockJsWebSocket extends WebSocketClient {

  SockJsWebSocket(ServerWebSocket socket, int maxQueuedBytes) {
    super(socket, maxQueuedBytes);
  }

  @Override
  void opened() {
    sendNow(Delivery.SockJsFraming.OPEN.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  void received(String message, Handler<Buffer> frames) {
    String text = message.trim();
    if (text.isEmpty()) {
      return;
    }
    JsonArray messages;
    try {
      messages = text.startsWith("[") ? new JsonArray(text) : new JsonArray().add(new JsonArray("[" + text + "]").getString(0));
    } catch (RuntimeException e) {
      // broken SockJS framing is below the bridge protocol: like sockjs-node, drop the socket
      close(1002, "Broken framing.");
      return;
    }
    for (Object frame : messages) {
      frames.handle(Buffer.buffer(String.valueOf(frame)));
    }
  }

  @Override
  ByteBuf message(Delivery delivery) {
    return delivery.sockJs();
  }

  @Override
  WebSocketFrame frame(ByteBuf payload) {
    return new TextWebSocketFrame(payload);
  }

  @Override
  public void send(Buffer frame) {
    sendNow(Delivery.SockJsFraming.messages(frame.toString(StandardCharsets.UTF_8)));
  }

  @Override
  public void heartbeat() {
    sendNow(Delivery.SockJsFraming.HEARTBEAT.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void close(int code, String reason) {
    sendNow(Delivery.SockJsFraming.close(code, reason).getBytes(StandardCharsets.UTF_8));
    closeSocket();
  }
}
