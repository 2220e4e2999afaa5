package io.parley.bridge;

/**
 * One client socket as the bridge's shared machinery sees it, whatever protocol it speaks: the
 * event-bus bridge's {@link Connection} or the Pusher protocol's {@link PusherConnection}.
 * {@link LocalRooms} delivers a room's envelopes to it, {@link PendingFlushes} flushes it once per
 * burst, {@link Connections} keeps it for the sweeps and the node-wide closes. Used from its
 * bridge instance's event loop only.
 */
abstract class BridgeSocket {

  private boolean flushPending;

  /**
   * Queues a room delivery; false when this socket is owed too much to take it (the caller
   * closes it with {@link CloseReason#SLOW_CONSUMER} once its fan-out is done). {@code now} is
   * read once per fan-out, not once per member.
   */
  abstract boolean deliver(Delivery delivery, long now);

  /**
   * Marks this socket as waiting for the next flush: true the first time in a burst, so
   * {@link PendingFlushes} lists it once however many deliveries it gets before the flush.
   */
  final boolean markFlushPending() {
    if (flushPending) {
      return false;
    }
    flushPending = true;
    return true;
  }

  /** Sends what the deliveries since the last flush queued, and ends the burst. */
  final void flush() {
    flushPending = false;
    flushTransport();
  }

  /** Flushes the socket's transport, unless it closed. */
  abstract void flushTransport();

  /** Closes with a reason the client can see, in its protocol's words. */
  abstract void close(CloseReason reason);

  /** The bridge's periodic sweep: deadlines, ping timeout, heartbeats. */
  abstract void check(long now);

  /** The room store lost its presence (a Redis restarted empty): join every room again. */
  abstract void rejoinAll();
}
