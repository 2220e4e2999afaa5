package io.parley.bridge;

import io.parley.bridge.netty.SharedFrame;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;

import java.nio.charset.StandardCharsets;

/**
 * SockJS's websocket transport, {@code /eventbus/<server>/<session>/websocket}, as
 * sockjs-client speaks it: {@code o} on open, {@code h} heartbeats, {@code a[...]} messages,
 * {@code c[code,"reason"]} before closing. The client sends a JSON array of strings (or one
 * JSON string); anything else is broken framing, below the bridge protocol, and closes the
 * socket as sockjs-node does.
 */
final class SockJsWebSocket extends WebSocketTransport {

  SockJsWebSocket(ServerWebSocket socket, int maxQueuedBytes) {
    super(socket, maxQueuedBytes);
  }

  @Override
  void opened() {
    channel.sendText(Delivery.SockJsFraming.OPEN.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  void received(String message, Handler<Buffer> frames) {
    String text = message.trim();
    if (text.isEmpty()) {
      return;
    }
    JsonArray messages;
    try {
      messages = text.startsWith("[") ? new JsonArray(text) : new JsonArray("[" + text + "]");
    } catch (RuntimeException e) {
      messages = null;
    }
    if (messages == null || messages.stream().anyMatch(item -> !(item instanceof String))) {
      close(1002, "Broken framing.");
      return;
    }
    for (Object frame : messages) {
      frames.handle(Buffer.buffer((String) frame));
    }
  }

  @Override
  SharedFrame message(Delivery delivery) {
    return delivery.sockJs();
  }

  @Override
  public void send(Buffer frame) {
    channel.sendText(Delivery.SockJsFraming.messages(frame.toString(StandardCharsets.UTF_8)));
  }

  @Override
  public void heartbeat() {
    channel.sendText(Delivery.SockJsFraming.HEARTBEAT.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void close(int code, String reason) {
    channel.sendText(Delivery.SockJsFraming.close(code, reason).getBytes(StandardCharsets.UTF_8));
    closeSocket();
  }
}
