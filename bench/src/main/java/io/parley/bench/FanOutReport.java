package io.parley.bench;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a fan-out run prints: the summary for people, then the JSON line's fields. */
final class FanOutReport {

  /** The counted window of a loop or rate run. */
  record Window(double seconds, double deliveriesPerSecond, double messagesPerSecond, Latencies latency,
                List<GcPauses.Pause> generatorPauses, long sent, long incomplete, long publishErrors,
                double generatorCpu, double serverCpu, double connectSeconds) {

    double perServerCpuSecond() {
      return deliveriesPerSecond / (serverCpu / 100.0);
    }
  }

  private final FanOut.Settings settings;
  private final FanOutTally tally;

  FanOutReport(FanOut.Settings settings, FanOutTally tally) {
    this.settings = settings;
    this.tally = tally;
  }

  /** {@code --mode idle}: server heap and RSS ({heap, rss}) before and after the connections. */
  JsonObject idle(long[] before, long[] after) {
    int n = Math.max(1, tally.joined.get());
    double heapPer = (after[0] - before[0]) / (double) n;
    double rssPer = (after[1] - before[1]) / (double) n;
    System.out.printf(Locale.ROOT, "%s idle, %d connections joined to two rooms: heap after full GC %.1f -> %.1f MB "
        + "(%.0f bytes per connection), RSS %.1f -> %.1f MB (%.0f bytes per connection)%n", settings.server(), n,
      before[0] / 1e6, after[0] / 1e6, heapPer, before[1] / 1e6, after[1] / 1e6, rssPer);
    printProblems();
    return new JsonObject().put("benchmark", "fan-out").put("server", serverName())
      .put("label", settings.label()).put("mode", "idle").put("subscribers", settings.subscribers()).put("transport", settings.transport()).put("nodes", settings.ports().size())
      .put("joined", tally.joined.get()).put("failed", tally.failed.get()).put("dropped", tally.dropped.get())
      .put("heapBefore", before[0]).put("heapAfter", after[0]).put("rssBefore", before[1]).put("rssAfter", after[1])
      .put("heapPerConnection", Math.round(heapPer)).put("rssPerConnection", Math.round(rssPer))
      .put("incomplete", 0).put("problems", tally.problems());
  }

  /** {@code --mode loop} or {@code rate}: the window's figures. */
  JsonObject window(Window w) {
    Latencies lat = w.latency();
    System.out.printf(Locale.ROOT, "%s %s, %d subscribers, payload %d (%d bytes per delivery message): %s%n", describeServer(),
      settings.loop() ? "closed loop W=" + settings.window() : "fixed " + settings.rate() + " deliveries/s",
      tally.joined.get(), settings.payload(), tally.deliveryMessageBytes,
      String.format(Locale.ROOT, "%.0f deliveries/s (%.1f messages/s completed) over %.1f s", w.deliveriesPerSecond(),
        w.messagesPerSecond(), w.seconds()));
    System.out.printf(Locale.ROOT, "latency publish->deliver (%d deliveries in the window): p50 %s  p99 %s  p99.9 %s  max %s%n",
      lat.count(), Latencies.ms(lat.percentileMs(50)), Latencies.ms(lat.percentileMs(99)), Latencies.ms(lat.percentileMs(99.9)),
      Latencies.ms(lat.maxMs()));
    System.out.println("the generator's own GC pauses in the window: " + GcPauses.describe(w.generatorPauses()));
    JsonObject tails = settings.loop() ? new JsonObject() : messageTails();
    double serverCpu = w.serverCpu();
    System.out.printf(Locale.ROOT, "sent %d, not delivered to every live subscriber after 10 s drain: %d; dropped subscribers %d; "
        + "server err frames %d; publish errors %d; generator CPU %.0f%% of one core; server CPU %.0f%% "
        + "(%.0f deliveries per server CPU-second)%n", w.sent(), w.incomplete(),
      tally.dropped.get(), tally.serverErrors.get(), w.publishErrors(), w.generatorCpu(), serverCpu, w.perServerCpuSecond());
    printProblems();
    return new JsonObject().put("benchmark", "fan-out").put("server", serverName())
      .put("label", settings.label()).put("mode", settings.loop() ? "loop" : "rate")
      .put("subscribers", settings.subscribers()).put("transport", settings.transport()).put("publisher", settings.publisher())
      .put("nodes", settings.ports().size()).put("joined", tally.joined.get()).put("ready", tally.ready.get())
      .put("failed", tally.failed.get()).put("dropped", tally.dropped.get()).put("window", settings.window())
      .put("rate", settings.rate()).put("payload", settings.payload()).put("deliveryMessageBytes", tally.deliveryMessageBytes)
      .put("connectSeconds", Latencies.round(w.connectSeconds()))
      .put("windowStart", String.valueOf(tally.windowStartWall)).put("windowSeconds", settings.duration())
      .put("deliveriesPerSecond", Math.round(w.deliveriesPerSecond())).put("messagesPerSecond", Latencies.round(w.messagesPerSecond()))
      .put("latencyCount", lat.count()).put("p50Ms", Latencies.round(lat.percentileMs(50)))
      .put("p99Ms", Latencies.round(lat.percentileMs(99))).put("p999Ms", Latencies.round(lat.percentileMs(99.9)))
      .put("maxMs", Latencies.round(lat.maxMs()))
      .put("sent", w.sent()).put("incomplete", w.incomplete()).put("serverErrors", tally.serverErrors.get())
      .put("publishErrors", w.publishErrors()).put("generatorCpuPercent", Math.round(w.generatorCpu()))
      .put("serverCpuPercent", Double.isNaN(serverCpu) ? null : Math.round(serverCpu))
      .put("deliveriesPerServerCpuSecond", Double.isNaN(serverCpu) || serverCpu <= 0 ? null : Math.round(w.perServerCpuSecond()))
      .put("generatorGcPauses", w.generatorPauses().size()).put("generatorGcPauseMaxMs", Latencies.round(GcPauses.longestMs(w.generatorPauses())))
      .put("problems", tally.problems())
      .mergeIn(tails);
  }

  /** The server, and for Parley how its subscribers and publisher connect. */
  private String describeServer() {
    return settings.server() == FanOut.Server.PARLEY
      ? settings.server() + " (subscribers " + settings.transport() + ", publisher " + settings.publisher() + ")"
      : settings.server().toString();
  }

  private String serverName() {
    return settings.server().name().toLowerCase(Locale.ROOT);
  }

  private void printProblems() {
    if (!tally.reasons.isEmpty()) {
      System.out.println("problems: " + tally.reasons);
      tally.firstReasons.forEach(r -> System.out.println("  " + r));
    }
  }

  /**
   * Fixed rate: how long each message took to reach its first and its last subscriber, and when the slowest
   * ones were scheduled (seconds into the window), to tell a steady tail from a few stalls.
   */
  private JsonObject messageTails() {
    long windowStart = tally.windowStart;
    long windowEnd = tally.windowEnd;
    List<long[]> tails = new ArrayList<>(tally.messageTails.stream().filter(t -> t[0] >= windowStart && t[0] < windowEnd).toList());
    Latencies last = new Latencies();
    Latencies first = new Latencies();
    tails.forEach(t -> {
      last.add(t[1]);
      first.add(t[2]);
    });
    tails.sort((a, b) -> Long.compare(b[1], a[1]));
    StringBuilder slowest = new StringBuilder();
    for (long[] t : tails.subList(0, Math.min(8, tails.size()))) {
      slowest.append(String.format(Locale.ROOT, " %.1f ms at %.2f s;", t[1] / 1e6, (t[0] - windowStart) / 1e9));
    }
    System.out.printf(Locale.ROOT, "per message, its last delivery (%d messages, window from %s): p50 %s  p90 %s  p99 %s  max %s; slowest:%s%n",
      last.count(), tally.windowStartWall, Latencies.ms(last.percentileMs(50)), Latencies.ms(last.percentileMs(90)), Latencies.ms(last.percentileMs(99)),
      Latencies.ms(last.maxMs()), slowest);
    System.out.printf(Locale.ROOT, "per message, its first delivery: p50 %s  p90 %s  p99 %s%n",
      Latencies.ms(first.percentileMs(50)), Latencies.ms(first.percentileMs(90)), Latencies.ms(first.percentileMs(99)));
    return new JsonObject().put("firstDeliveryP50Ms", Latencies.round(first.percentileMs(50)))
      .put("lastDeliveryP50Ms", Latencies.round(last.percentileMs(50))).put("lastDeliveryP99Ms", Latencies.round(last.percentileMs(99)));
  }
}
