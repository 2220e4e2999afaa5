package io.parley.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * A lane's connections, started at most {@code budget} at a time as earlier ones settle, so a
 * node sees a bounded number of handshakes at once. Used from the lane's event loop only.
 */
final class Handshakes {

  private final int count;
  private final int budget;
  private final IntFunction<Future<?>> start;
  private final BiConsumer<Integer, AsyncResult<?>> settle;
  private final Promise<Void> all = Promise.promise();
  private int next;
  private int inFlight;
  private int settled;

  /**
   * {@code start} begins connection {@code i} of {@code count}; {@code settle} hears how it
   * ended, before the next one starts.
   */
  Handshakes(int count, int budget, IntFunction<Future<?>> start, BiConsumer<Integer, AsyncResult<?>> settle) {
    this.count = count;
    this.budget = budget;
    this.start = start;
    this.settle = settle;
  }

  /** Starts them; completes once every one has settled. */
  Future<Void> run() {
    if (count == 0) {
      all.tryComplete();
    }
    pump();
    return all.future();
  }

  private void pump() {
    while (inFlight < budget && next < count) {
      int i = next++;
      inFlight++;
      start.apply(i).onComplete(ar -> {
        settle.accept(i, ar);
        inFlight--;
        if (++settled == count) {
          all.tryComplete();
        }
        pump();
      });
    }
  }
}
