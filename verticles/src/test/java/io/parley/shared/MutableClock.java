package io.parley.shared;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that stands still until a test moves it, so that time-based behaviour
 * (history age, session time to live) is tested without sleeping. Safe to read from several
 * threads; clocks derived with {@link #withZone} share the same time.
 */
public final class MutableClock extends Clock {

  /** 2024-01-01T00:00:00Z: an arbitrary, fixed starting point. */
  public static final long DEFAULT_START_MILLIS = 1_704_067_200_000L;

  private final AtomicLong millis;
  private final ZoneId zone;

  public MutableClock() {
    this(DEFAULT_START_MILLIS);
  }

  public MutableClock(long startMillis) {
    this(new AtomicLong(startMillis), ZoneOffset.UTC);
  }

  private MutableClock(AtomicLong millis, ZoneId zone) {
    this.millis = millis;
    this.zone = zone;
  }

  public MutableClock advance(Duration duration) {
    return advanceMillis(duration.toMillis());
  }

  public MutableClock advanceMillis(long delta) {
    millis.addAndGet(delta);
    return this;
  }

  public MutableClock setMillis(long epochMillis) {
    millis.set(epochMillis);
    return this;
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return zone.equals(this.zone) ? this : new MutableClock(millis, zone);
  }

  @Override
  public String toString() {
    return "MutableClock[" + instant() + "]";
  }
}
