package io.parley.bench;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every lane of a generator adds to, and the phase the main thread has them in: whether
 * what they do now is counted, and whether they should stop.
 */
final class Totals {

  /** How many of the scenario's operations were answered as expected (round trips, casts, ...). */
  final AtomicLong done = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  /** The first few errors, for the summary. */
  final Queue<String> firstErrors = new ConcurrentLinkedQueue<>();
  volatile boolean counting;
  volatile boolean stopping;

  void error(String what) {
    errors.incrementAndGet();
    if (firstErrors.size() < 5) {
      firstErrors.add(what);
    }
  }
}
