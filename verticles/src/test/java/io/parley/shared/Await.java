package io.parley.shared;

import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Reads a future's outcome synchronously, from a test thread (never from a Vert.x thread). */
public final class Await {

  public static final long TIMEOUT_SECONDS = 5;

  /** The result of {@code future}; its failure is rethrown, and no answer in time fails the test. */
  public static <T> T result(Future<T> future) {
    try {
      return future.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + TIMEOUT_SECONDS + "s", e);
    }
  }

  /** The failure of {@code future}, or null when it succeeded. */
  public static Throwable failure(Future<?> future) {
    return result(future.<Throwable>map(ignored -> null).otherwise(cause -> cause));
  }

  /** Polls {@code condition} until it holds; not within {@code limit} fails the test, naming {@code what}. */
  public static void until(String what, java.time.Duration limit, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + limit.toMillis() + " ms");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(what + ": interrupted", e);
      }
    }
  }

  private Await() {
  }
}
