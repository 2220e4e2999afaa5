package io.parley.bench;

import io.vertx.core.json.JsonObject;

/**
 * An {@code err} frame from the bridge, or the socket closing under a pending request: a
 * failed reply, a refused register, or an address-less refusal ({@code body} names the
 * reason: {@code rate_limited}, {@code auth_timeout}, ...).
 */
final class BridgeFailure extends RuntimeException {

  private final int failureCode;
  private final String reason;

  BridgeFailure(int failureCode, String reason, String message) {
    super(message, null, false, false);
    this.failureCode = failureCode;
    this.reason = reason;
  }

  static BridgeFailure of(JsonObject err) {
    Object body = err.getValue("body");
    String reason = body instanceof String s ? s : null;
    return new BridgeFailure(err.getInteger("failureCode", -1), reason, err.getString("message", "(no message)"));
  }

  /** The failureCode, or -1 when there was none (a closed socket). */
  int failureCode() {
    return failureCode;
  }

  /** The reason of an address-less refusal, or null. */
  String reason() {
    return reason;
  }

  @Override
  public String toString() {
    return (failureCode >= 0 ? failureCode + " " : "") + (reason != null ? reason + ": " : "") + getMessage();
  }
}
