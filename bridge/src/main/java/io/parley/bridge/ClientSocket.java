package io.parley.bridge;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * One browser connection as the bridge sees it, whatever carries it: a websocket with SockJS
 * framing (what sockjs-client uses first), the raw {@code /eventbus/websocket}, or one of
 * SockJS's HTTP fallbacks. Used from its bridge instance's event loop only.
 */
interface ClientSocket {

  /** Starts reading: each bridge frame (one JSON text) to {@code frames}; {@code closed} once. */
  void start(Handler<Buffer> frames, Handler<Throwable> failed, Handler<Void> closed);

  /** Writes one frame meant for this socket only (a reply, an error) and flushes it. */
  void send(Buffer frame);

  /**
   * Queues a room delivery shared with the room's other members; it goes out at the next
   * {@link #flush}, so a burst of deliveries costs one flush per socket, not one per frame.
   * Answers false when the socket cannot keep up (its outbound buffer is full): the caller
   * closes it rather than queue without bound.
   */
  boolean deliver(Delivery delivery);

  void flush();

  /** A SockJS heartbeat where the transport has one; called when the socket sent nothing for a while. */
  void heartbeat();

  /** Closes with a code and reason (the close frame where the transport can carry it). */
  void close(int code, String reason);
}
