package io.parley.bridge;

import io.parley.shared.Failure;

/**
 * Why the bridge closes a socket. The client sees the code in the close frame (SockJS:
 * {@code c[code,"message"]}) and, just before it, an {@code err} frame whose {@code body} is the
 * tag and whose {@code failureCode} is the failure code. {@code reconnect} says whether a client
 * should connect again as it is (the cause was the connection's, not the client's), as
 * Centrifuge's disconnect values do; the table is in {@code docs/protocol.md}.
 */
enum CloseReason {
  AUTH_TIMEOUT(4001, "auth_timeout", Failure.UNAUTHENTICATED, false,
    "not authenticated in time: send auth.authenticate {token, sessionId} first"),
  TOKEN_EXPIRED(4002, "token_expired", Failure.UNAUTHENTICATED, false, "token expired: reconnect with a fresh token"),
  REVOKED(4003, "revoked", Failure.UNAUTHENTICATED, false, "session revoked: sign in again"),
  PING_TIMEOUT(4004, "ping_timeout", Failure.BAD_REQUEST, true, "no frame or ping in time"),
  NODE_EVICTED(4005, "node_evicted", Failure.UNAVAILABLE, true, "this node was out of touch with the cluster: reconnect"),
  SLOW_CONSUMER(4006, "slow_consumer", Failure.UNAVAILABLE, true,
    "this socket did not read what it was sent in time: reconnect and catch up"),
  TOO_MANY_REFUSALS(4007, "too_many_refusals", Failure.RATE_LIMITED, false,
    "too many refused frames: fix the client before reconnecting");

  final int code;
  final String tag;
  final int failureCode;
  final boolean reconnect;
  final String message;

  CloseReason(int code, String tag, int failureCode, boolean reconnect, String message) {
    this.code = code;
    this.tag = tag;
    this.failureCode = failureCode;
    this.reconnect = reconnect;
    this.message = message;
  }

  /** The public close code, for tests and clients that compare it. */
  public int code() {
    return code;
  }
}
