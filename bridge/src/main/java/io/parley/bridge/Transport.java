package io.parley.bridge;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * What carries one client connection: a websocket with SockJS framing ({@link SockJsWebSocket},
 * what sockjs-client uses first), the raw {@code /eventbus/websocket} ({@link RawWebSocket}),
 * one of SockJS's HTTP fallbacks ({@link SockJsHttpSocket}), or a TCP connection speaking the
 * TCP event-bus bridge's protocol ({@link TcpSocket}). A transport only reads and writes
 * frames in its own framing; every rule about what a frame may do is the {@link Connection}'s.
 * Adding a transport means one class implementing this, and its test. Used from its bridge
 * instance's event loop only.
 */
interface Transport {

  /** The dialect of this transport's frames: the event-bus bridge's unless it says otherwise. */
  default Frames frames() {
    return Frames.EVENT_BUS;
  }

  /** Starts reading: each bridge frame (one JSON text) to {@code frames}; {@code closed} once. */
  void start(Handler<Buffer> frames, Handler<Throwable> failed, Handler<Void> closed);

  /**
   * False once the client is owed more than {@code bridge.maxQueuedBytes} it has not read: the
   * connection closes it instead of writing more.
   */
  boolean writable();

  /** Writes one frame meant for this socket only (a reply, a refusal) and flushes it. */
  void send(Buffer frame);

  /**
   * Queues a room delivery shared with the room's other members; it goes out at the next
   * {@link #flush}, so a burst of deliveries costs one flush per socket, not one per frame.
   */
  void deliver(Delivery delivery);

  void flush();

  /** A heartbeat where the transport has one; called when the socket was sent nothing for a while. */
  void heartbeat();

  /** Closes with a code and reason (in the close frame where the transport can carry it). */
  void close(int code, String reason);
}
