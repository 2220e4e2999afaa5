package io.parley.bridge;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.parley.bridge.netty.SharedFrame;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.nio.charset.StandardCharsets;

/**
 * The Pusher endpoint {@code /app/<key>} ({@code docs/pusher.md}): one Pusher message per
 * websocket text message, both ways. Reading, the bound on unsent bytes and the shared frames
 * are {@link WebSocketTransport}'s; what a message means is the {@link PusherConnection}'s.
 */
final class PusherWebSocket extends WebSocketTransport {

  /** The path's app key. */
  final String key;
  /** The {@code protocol} query parameter, or null. */
  final String protocol;

  PusherWebSocket(ServerWebSocket socket, int maxQueuedBytes) {
    super(socket, maxQueuedBytes);
    this.key = socket.path().substring(PATH.length());
    java.util.List<String> protocols = new QueryStringDecoder(socket.uri()).parameters().get("protocol");
    this.protocol = protocols == null || protocols.isEmpty() ? null : protocols.get(0);
  }

  /** Where the endpoint is; the rest of the path is the app key. */
  static final String PATH = "/app/";

  static boolean serves(String path) {
    return path.startsWith(PATH) && path.length() > PATH.length() && path.indexOf('/', PATH.length()) < 0;
  }

  @Override
  void received(String message, Handler<Buffer> frames) {
    frames.handle(Buffer.buffer(message));
  }

  /** Pusher deliveries are per channel: {@link PusherConnection} queues {@link Delivery#pusher} with {@link #queue}. */
  @Override
  SharedFrame message(Delivery delivery) {
    throw new UnsupportedOperationException("a Pusher socket is delivered per channel");
  }

  /** Queues one message shared with other sockets; it goes out at the next {@link #flush}. */
  void queue(SharedFrame message) {
    channel.queue(message);
  }

  @Override
  public void send(Buffer frame) {
    channel.sendText(frame.getBytes());
  }

  void send(String message) {
    channel.sendText(message.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void heartbeat() {
    // pings are Pusher messages, sent by the connection
  }

  @Override
  public void close(int code, String reason) {
    closeSocket(code, reason);
  }
}
