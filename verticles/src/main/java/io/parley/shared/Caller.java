package io.parley.shared;

import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.Message;

/**
 * Who sent a bus message: a client connection (identity headers written by the bridge) or,
 * when those headers are absent, trusted server-side code.
 */
public record Caller(String userId, String sessionId, String connectionId) {

  /** The client behind a message, or {@code null} for server-side code. */
  public static Caller of(Message<?> message) {
    MultiMap headers = message.headers();
    String userId = headers.get(Headers.USER_ID);
    if (userId == null) {
      return null;
    }
    return new Caller(userId, headers.get(Headers.SESSION_ID), headers.get(Headers.CONNECTION_ID));
  }

  /** Like {@link #of(Message)} but fails with 401 when the message did not come from a client. */
  public static Caller required(Message<?> message) {
    Caller caller = of(message);
    if (caller == null || caller.sessionId() == null || caller.connectionId() == null) {
      throw Failure.unauthenticated("this address needs an authenticated client connection");
    }
    return caller;
  }
}
