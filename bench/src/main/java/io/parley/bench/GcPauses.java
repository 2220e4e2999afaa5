package io.parley.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The generator's own stop-the-world collections, on the {@link System#nanoTime} scale. A
 * generator that pauses reads every subscriber's deliveries late, which shows up as the
 * server's latency: a latency figure comes with the generator pauses inside its window, so a
 * reader can tell a server's tail from the generator's.
 */
final class GcPauses {

  /** A pause: when it started and how long it took, in nanoseconds. */
  record Pause(long start, long nanos) {
  }

  private final List<Pause> pauses = new ArrayList<>();
  /** nanoTime at the JVM's start: GC notifications give start times as milliseconds of uptime. */
  private final long jvmStart = System.nanoTime() - ManagementFactory.getRuntimeMXBean().getUptime() * 1_000_000L;

  /** Starts listening; only to collectors that stop the world (ZGC's "Cycles" run alongside). */
  static GcPauses listen() {
    GcPauses gc = new GcPauses();
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean.getName().endsWith("Cycles") || !(bean instanceof NotificationEmitter emitter)) {
        continue;
      }
      emitter.addNotificationListener((notification, handback) -> {
        if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
          var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo();
          gc.add(new Pause(gc.jvmStart + info.getStartTime() * 1_000_000L, info.getDuration() * 1_000_000L));
        }
      }, null, null);
    }
    return gc;
  }

  private synchronized void add(Pause pause) {
    pauses.add(pause);
  }

  /** The pauses that overlap [from, to). */
  synchronized List<Pause> within(long from, long to) {
    return pauses.stream().filter(p -> p.start() < to && p.start() + p.nanos() > from).toList();
  }

  /** "3 pauses, longest 4.1 ms, 7.9 ms in all" (or "none"). */
  static String describe(List<Pause> pauses) {
    if (pauses.isEmpty()) {
      return "none";
    }
    return String.format(Locale.ROOT, "%d, longest %.1f ms, %.1f ms in all", pauses.size(), longestMs(pauses),
      pauses.stream().mapToLong(Pause::nanos).sum() / 1e6);
  }

  static double longestMs(List<Pause> pauses) {
    return pauses.stream().mapToLong(Pause::nanos).max().orElse(0) / 1e6;
  }
}
