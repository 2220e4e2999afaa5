package io.parley.pusher;

import io.vertx.core.json.JsonObject;

/**
 * How webhooks are delivered, {@code pusher.webhookDelivery} ({@code docs/configuration.md},
 * {@code docs/pusher-webhooks.md}).
 *
 * @param cancelWindowMs how long {@code channel_vacated} and {@code member_removed} wait: a return
 *                       within it cancels them (Pusher's 3 s)
 * @param retryForMs     how long a failing webhook is retried, counted from when it was first due
 * @param pollMs         how often each node claims due webhooks
 * @param timeoutMs      how long one POST may take before it counts as failed
 */
public record WebhookOptions(long cancelWindowMs, long retryForMs, long pollMs, long timeoutMs) {

  /** The first retry's delay; each next one doubles, up to {@link #MAX_RETRY_DELAY_MS}. */
  public static final long FIRST_RETRY_DELAY_MS = 1_000;
  public static final long MAX_RETRY_DELAY_MS = 60_000;

  public WebhookOptions {
    positive("cancelWindowMs", cancelWindowMs);
    positive("retryForMs", retryForMs);
    positive("pollMs", pollMs);
    positive("timeoutMs", timeoutMs);
  }

  public static WebhookOptions fromConfig(JsonObject delivery) {
    JsonObject d = delivery == null ? new JsonObject() : delivery;
    return new WebhookOptions(d.getLong("cancelWindowMs", 3_000L), d.getLong("retryForMs", 300_000L),
      d.getLong("pollMs", 250L), d.getLong("timeoutMs", 10_000L));
  }

  /**
   * How long a claim keeps a webhook from the other nodes: well past one POST's timeout, so that
   * only a claimer that died (or stalled that long) has its webhooks claimed again.
   */
  public long leaseMs() {
    return timeoutMs * 3;
  }

  /** The delay before the next attempt, after {@code attempts} failed ones (1 s, 2 s, 4 s, … at most 60 s). */
  public static long retryDelayMs(int attempts) {
    return attempts >= 6 ? MAX_RETRY_DELAY_MS : Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS << attempts);
  }

  private static void positive(String field, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException("pusher.webhookDelivery." + field + " must be positive, not " + value);
    }
  }
}
