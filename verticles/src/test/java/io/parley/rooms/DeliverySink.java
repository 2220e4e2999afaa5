package io.parley.rooms;

import io.parley.shared.Envelope;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Records what a {@link RoomStore} delivers. A store may deliver after its publish future
 * completes (through a pub/sub channel, say), so readers wait for the envelopes they expect
 * rather than assume they are already there.
 */
public final class DeliverySink implements Consumer<EncodedEnvelope> {

  private static final long WAIT_MS = TimeUnit.SECONDS.toMillis(5);

  private final List<Envelope> received = new ArrayList<>();

  /** Decodes what arrives: a store hands on bytes, the tests read envelopes. */
  @Override
  public synchronized void accept(EncodedEnvelope envelope) {
    received.add(envelope.envelope());
    notifyAll();
  }

  /** Every envelope delivered so far, in delivery order. */
  public synchronized List<Envelope> all() {
    return List.copyOf(received);
  }

  /** The envelopes delivered for one room, in delivery order. */
  public synchronized List<Envelope> of(String room) {
    return received.stream().filter(e -> e.destination().equals(room)).toList();
  }

  /** Waits until at least {@code count} envelopes arrived and returns them all. */
  public synchronized List<Envelope> awaitCount(int count) {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    while (received.size() < count) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("expected " + count + " deliveries, got " + received.size());
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for deliveries", e);
      }
    }
    return List.copyOf(received);
  }
}
