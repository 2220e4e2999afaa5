package io.parley.locks;

import io.vertx.core.json.JsonObject;

/**
 * The {@code locks} section of the configuration.
 *
 * <pre>
 * "locks": {
 *   "heartbeatMs": 300000,    // how often a holding tab sends locks.heartbeat (told to clients)
 *   "ttlMs": 900000,          // a lock without acquire or heartbeat for this long is lost
 *   "kickTimeoutMs": 30000,   // a kicked holder who does not answer within this loses the lock
 *   "sweepMs": 1000,          // how often each locks verticle looks for expired locks and kicks
 *   "resourceInfoTimeoutMs": 500  // how long a status waits for the host's locks.resourceInfo answer
 * }
 * </pre>
 *
 * Expiry and kick deadlines are therefore acted on within about {@code sweepMs} of passing.
 * A host that does not answer {@code locks.resourceInfo} in {@code resourceInfoTimeoutMs}
 * delays each lock request by that much (its status then shows no details); a node where
 * nobody answers it at all is not delayed.
 */
public record LocksOptions(long heartbeatMs, long ttlMs, long kickTimeoutMs, long sweepMs, long resourceInfoTimeoutMs) {

  public static final long DEFAULT_HEARTBEAT_MS = 300_000;
  public static final long DEFAULT_TTL_MS = 900_000;
  public static final long DEFAULT_KICK_TIMEOUT_MS = 30_000;
  public static final long DEFAULT_SWEEP_MS = 1_000;
  public static final long DEFAULT_RESOURCE_INFO_TIMEOUT_MS = 500;

  public LocksOptions {
    if (heartbeatMs <= 0 || ttlMs <= 0 || kickTimeoutMs <= 0) {
      throw new IllegalArgumentException("locks.heartbeatMs, ttlMs and kickTimeoutMs must be positive");
    }
    if (heartbeatMs >= ttlMs) {
      throw new IllegalArgumentException("locks.heartbeatMs (" + heartbeatMs + ") must be shorter than locks.ttlMs ("
        + ttlMs + "), or every lock expires between two heartbeats");
    }
    if (sweepMs < 10) {
      throw new IllegalArgumentException("locks.sweepMs must be at least 10");
    }
    if (resourceInfoTimeoutMs <= 0) {
      throw new IllegalArgumentException("locks.resourceInfoTimeoutMs must be positive");
    }
  }

  public static LocksOptions defaults() {
    return new LocksOptions(DEFAULT_HEARTBEAT_MS, DEFAULT_TTL_MS, DEFAULT_KICK_TIMEOUT_MS, DEFAULT_SWEEP_MS,
      DEFAULT_RESOURCE_INFO_TIMEOUT_MS);
  }

  public static LocksOptions fromConfig(JsonObject locks) {
    JsonObject json = locks == null ? new JsonObject() : locks;
    return new LocksOptions(
      json.getLong("heartbeatMs", DEFAULT_HEARTBEAT_MS),
      json.getLong("ttlMs", DEFAULT_TTL_MS),
      json.getLong("kickTimeoutMs", DEFAULT_KICK_TIMEOUT_MS),
      json.getLong("sweepMs", DEFAULT_SWEEP_MS),
      json.getLong("resourceInfoTimeoutMs", DEFAULT_RESOURCE_INFO_TIMEOUT_MS));
  }
}
