package io.parley.bridge;

/**
 * A token bucket: {@code burst} frames at once, refilled at {@code perSecond}. One per socket,
 * used on its event loop only.
 */
final class RateLimiter {

  private final double perNano;
  private final double burst;
  private double tokens;
  private long last;

  RateLimiter(double perSecond, double burst, long nowNanos) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  boolean tryAcquire(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - last) * perNano);
    last = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
