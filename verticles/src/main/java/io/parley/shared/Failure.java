package io.parley.shared;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import org.slf4j.Logger;

import java.util.function.Function;

/**
 * The failure codes ({@code docs/protocol.md}, requests and replies), as {@link ReplyException}s so that a failed future
 * becomes a failed reply with the same code and message, on the bus and on the wire.
 */
public final class Failure {
  public static final int BAD_REQUEST = 400;
  public static final int UNAUTHENTICATED = 401;
  public static final int FORBIDDEN = 403;
  public static final int NOT_FOUND = 404;
  public static final int CONFLICT = 409;
  public static final int TOO_LARGE = 413;
  public static final int RATE_LIMITED = 429;
  public static final int INTERNAL = 500;
  public static final int UNAVAILABLE = 503;

  public static ReplyException of(int code, String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  public static ReplyException badRequest(String message) {
    return of(BAD_REQUEST, message);
  }

  public static ReplyException unauthenticated(String message) {
    return of(UNAUTHENTICATED, message);
  }

  public static ReplyException forbidden(String message) {
    return of(FORBIDDEN, message);
  }

  public static ReplyException notFound(String message) {
    return of(NOT_FOUND, message);
  }

  public static ReplyException conflict(String message) {
    return of(CONFLICT, message);
  }

  public static ReplyException unavailable(String message) {
    return of(UNAVAILABLE, message);
  }

  /**
   * For a store's {@code recover}: its own failures with a code pass as they are; anything
   * else (the database went away, a query failed) goes to {@code failures} (counted, and
   * logged once per kind and interval) and becomes a 503 naming the store, so a caller may
   * retry and no internals leak.
   */
  public static <T> Function<Throwable, Future<T>> storeUnavailable(String store, FailureLog failures, Logger log) {
    return failure -> {
      if (failure instanceof ReplyException) {
        return Future.failedFuture(failure);
      }
      failures.storeFailed(store, UNAVAILABLE, failure, log);
      return Future.failedFuture(unavailable(store + " unavailable; try again"));
    };
  }

  /**
   * The failure code a caller should see for any failure: a recipient's own code, 503 when
   * nothing answered (no handler, timeout), 500 for anything unexpected.
   */
  public static int codeOf(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case RECIPIENT_FAILURE -> reply.failureCode();
        case NO_HANDLERS, TIMEOUT -> UNAVAILABLE;
        default -> INTERNAL;
      };
    }
    return INTERNAL;
  }

  /** A message a person can act on, without leaking internals of unexpected failures. */
  public static String messageOf(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      return switch (reply.failureType()) {
        case RECIPIENT_FAILURE -> reply.getMessage();
        // both are 503s: like every 503, say that retrying is the remedy
        case NO_HANDLERS -> "service unavailable: nothing handles this address on the cluster; try again";
        case TIMEOUT -> "service unavailable: no reply in time; try again";
        default -> "internal error";
      };
    }
    return "internal error";
  }

  private Failure() {
  }
}
