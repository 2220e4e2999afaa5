package io.parley.bench;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Locale;

/**
 * Durations, kept exactly (a benchmark records one per tab or message, thousands, not
 * billions), summarised as nearest-rank percentiles in milliseconds.
 */
final class Latencies {

  private long[] nanos = new long[1024];
  private int count;
  private boolean sorted = true;

  void add(long durationNanos) {
    if (count == nanos.length) {
      nanos = Arrays.copyOf(nanos, count * 2);
    }
    nanos[count++] = durationNanos;
    sorted = false;
  }

  void addAll(Latencies other) {
    for (int i = 0; i < other.count; i++) {
      add(other.nanos[i]);
    }
  }

  int count() {
    return count;
  }

  /** The nearest-rank {@code p}-th percentile (0 < p ≤ 100), in ms; NaN when empty. */
  double percentileMs(double p) {
    if (count == 0) {
      return Double.NaN;
    }
    sort();
    int rank = (int) Math.ceil(p / 100.0 * count);
    return nanos[Math.max(0, Math.min(count, rank) - 1)] / 1e6;
  }

  double maxMs() {
    return count == 0 ? Double.NaN : percentileMs(100);
  }

  double meanMs() {
    if (count == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < count; i++) {
      sum += nanos[i];
    }
    return sum / count / 1e6;
  }

  /** {@code p50 12.3 ms  p90 ...}: one line for a person. */
  String summary() {
    if (count == 0) {
      return "(none)";
    }
    return String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  max %s  (n=%d)",
      ms(percentileMs(50)), ms(percentileMs(90)), ms(percentileMs(99)), ms(maxMs()), count);
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("n", count);
    if (count > 0) {
      json.put("p50Ms", round(percentileMs(50))).put("p90Ms", round(percentileMs(90)))
        .put("p99Ms", round(percentileMs(99))).put("p999Ms", round(percentileMs(99.9))).put("maxMs", round(maxMs())).put("meanMs", round(meanMs()));
    }
    return json;
  }

  static String ms(double ms) {
    if (Double.isNaN(ms)) {
      return "-";
    }
    return ms >= 100 ? String.format(Locale.ROOT, "%.0f ms", ms) : String.format(Locale.ROOT, "%.1f ms", ms);
  }

  static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  private void sort() {
    if (!sorted) {
      Arrays.sort(nanos, 0, count);
      sorted = true;
    }
  }
}
