package io.parley.bench;

import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;

/** Waiting for the generators' futures from their main threads, within a deadline. */
final class Futures {

  /** The future's result, or an {@link IllegalStateException} naming {@code what} when it failed or took longer than {@code seconds}. */
  static <T> T await(Future<T> future, long seconds, String what) {
    try {
      return future.await(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }

  /** Whole seconds left until {@code deadline} ({@link System#nanoTime}), at least 1. */
  static long secondsLeft(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
  }

  private Futures() {
  }
}
