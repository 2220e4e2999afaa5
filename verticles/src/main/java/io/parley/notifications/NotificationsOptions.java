package io.parley.notifications;

import io.vertx.core.json.JsonObject;

/**
 * The {@code notifications} section of the configuration.
 *
 * <pre>
 * "notifications": {
 *   "ttlMs": 14400000,              // a stored notification can be replayed for this long (4 h)
 *   "sessionTtlMs": 604800000,      // a session's subscriptions are forgotten after this long unseen (7 days)
 *   "expiryIntervalMs": 60000,      // how often each notifications verticle deletes expired rows ...
 *   "expiryBatch": 1000,            // ... in batches of this many ...
 *   "expiryBatchesPerRun": 10,      // ... at most this many batches per run
 *   "maxTopicsPerSession": 100,     // subscribing beyond this is a 400
 *   "maxDataBytes": 16384,          // a notification's data, as JSON; larger is a 413
 *   "replayLimit": 500              // notifications.since answers at most this many (more: true)
 * }
 * </pre>
 */
public record NotificationsOptions(long ttlMs, long sessionTtlMs, long expiryIntervalMs, int expiryBatch,
                                   int expiryBatchesPerRun, int maxTopicsPerSession, int maxDataBytes, int replayLimit) {

  public static final long DEFAULT_TTL_MS = 4 * 3_600_000L;
  public static final long DEFAULT_SESSION_TTL_MS = 7 * 24 * 3_600_000L;
  public static final long DEFAULT_EXPIRY_INTERVAL_MS = 60_000;
  public static final int DEFAULT_EXPIRY_BATCH = 1_000;
  public static final int DEFAULT_EXPIRY_BATCHES_PER_RUN = 10;
  public static final int DEFAULT_MAX_TOPICS_PER_SESSION = 100;
  public static final int DEFAULT_MAX_DATA_BYTES = 16_384;
  public static final int DEFAULT_REPLAY_LIMIT = 500;

  public NotificationsOptions {
    if (ttlMs <= 0 || sessionTtlMs <= 0) {
      throw new IllegalArgumentException("notifications.ttlMs and sessionTtlMs must be positive");
    }
    if (expiryIntervalMs < 10 || expiryBatch < 1 || expiryBatchesPerRun < 1) {
      throw new IllegalArgumentException("notifications.expiryIntervalMs must be at least 10, expiryBatch and "
        + "expiryBatchesPerRun at least 1");
    }
    if (maxTopicsPerSession < 1 || maxDataBytes < 1 || replayLimit < 1) {
      throw new IllegalArgumentException("notifications.maxTopicsPerSession, maxDataBytes and replayLimit must be positive");
    }
  }

  public static NotificationsOptions defaults() {
    return fromConfig(null);
  }

  public static NotificationsOptions fromConfig(JsonObject notifications) {
    JsonObject json = notifications == null ? new JsonObject() : notifications;
    return new NotificationsOptions(
      json.getLong("ttlMs", DEFAULT_TTL_MS),
      json.getLong("sessionTtlMs", DEFAULT_SESSION_TTL_MS),
      json.getLong("expiryIntervalMs", DEFAULT_EXPIRY_INTERVAL_MS),
      json.getInteger("expiryBatch", DEFAULT_EXPIRY_BATCH),
      json.getInteger("expiryBatchesPerRun", DEFAULT_EXPIRY_BATCHES_PER_RUN),
      json.getInteger("maxTopicsPerSession", DEFAULT_MAX_TOPICS_PER_SESSION),
      json.getInteger("maxDataBytes", DEFAULT_MAX_DATA_BYTES),
      json.getInteger("replayLimit", DEFAULT_REPLAY_LIMIT));
  }
}
