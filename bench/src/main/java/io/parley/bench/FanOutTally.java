package io.parley.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The fan-out's measurement state, touched from every event loop: each message in flight (by
 * its sequence number mod {@link #RING}), who received what, the subscribers' counts and the
 * problems seen. Every payload is {@code pb#<seq>,<stamp>,xxx…}; {@code pb#P} is a probe.
 */
final class FanOutTally {

  static final String MARK = "pb#";
  static final int RING = 1 << 16;

  final FanOut.Settings settings;
  final AtomicIntegerArray counts = new AtomicIntegerArray(RING);
  final AtomicIntegerArray expected = new AtomicIntegerArray(RING);
  final AtomicIntegerArray done = new AtomicIntegerArray(RING);
  /** Fixed rate: per message slot, its scheduled time (set by the publisher) and its slowest and fastest delivery so far. */
  final AtomicLongArray slotStamp = new AtomicLongArray(RING);
  final AtomicLongArray slotSlowest = new AtomicLongArray(RING);
  final AtomicLongArray slotFastest = new AtomicLongArray(RING);
  /** Fixed rate: {scheduled time, slowest delivery, fastest delivery} of each message, once complete (window picked out at the end). */
  final ConcurrentLinkedQueue<long[]> messageTails = new ConcurrentLinkedQueue<>();
  final LongAdder delivered = new LongAdder();
  final AtomicLong completed = new AtomicLong();
  final AtomicInteger live = new AtomicInteger();
  final AtomicInteger joined = new AtomicInteger();
  final AtomicInteger ready = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  final AtomicInteger dropped = new AtomicInteger();
  final AtomicInteger serverErrors = new AtomicInteger();
  final Map<String, AtomicInteger> reasons = new ConcurrentHashMap<>();
  final ConcurrentLinkedQueue<String> firstReasons = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<Deliveries> recorders = new ConcurrentLinkedQueue<>();
  final ThreadLocal<Deliveries> recorder = ThreadLocal.withInitial(() -> {
    Deliveries d = new Deliveries(recorderCapacity());
    recorders.add(d);
    return d;
  });
  /**
   * The size in bytes of one websocket message (or TCP frame) that carried one tracked delivery,
   * as first seen: what each subscriber reads per delivery, to compare transports by.
   */
  volatile int deliveryMessageBytes;
  volatile long windowStart = Long.MAX_VALUE;
  volatile long windowEnd = Long.MAX_VALUE;
  Instant windowStartWall;
  volatile Runnable onComplete = () -> { };

  FanOutTally(FanOut.Settings settings) {
    this.settings = settings;
  }

  /** A lane's share of the deliveries a fixed-rate run records (warm-up, window and drain), with room to spare. */
  int recorderCapacity() {
    if (settings.loop()) {
      return 1 << 10;
    }
    long total = (long) settings.rate() * (settings.warmup() + settings.duration() + 10);
    return (int) Math.min(1 << 28, total * 5 / 4 / settings.lanes() + (1 << 12));
  }

  /**
   * Fixed rate: every tracked delivery's scheduled time and latency, warm-up included, kept
   * per reading thread. The window is picked out at the end: a branch that first turns true at
   * the window's start would make the JIT recompile this hot path just as measuring begins.
   */
  static final class Deliveries {
    private long[] stamps;
    private long[] latencies;
    private int count;

    Deliveries(int capacity) {
      stamps = new long[capacity];
      latencies = new long[capacity];
    }

    void add(long stamp, long latency) {
      if (count == stamps.length) {
        stamps = Arrays.copyOf(stamps, count * 2);
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      stamps[count] = stamp;
      latencies[count++] = latency;
    }

    /** Adds to {@code into} the latencies of deliveries scheduled in [from, to). */
    void window(long from, long to, Latencies into) {
      for (int i = 0; i < count; i++) {
        if (stamps[i] >= from && stamps[i] < to) {
          into.add(latencies[i]);
        }
      }
    }
  }

  void reason(String kind, String detail) {
    reasons.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    if (firstReasons.size() < 8) {
      firstReasons.add(kind + ": " + detail);
    }
  }

  /** The problems by kind, as the JSON line gives them. */
  JsonObject problems() {
    return new JsonObject(new LinkedHashMap<>(reasons.entrySet().stream()
      .collect(Collectors.toMap(Map.Entry::getKey, e -> (Object) e.getValue().get()))));
  }

  /**
   * Every payload mark in a message, read from its bytes (no UTF-8 decoding): probes ({@code pb#P})
   * mark the subscriber ready, tracked messages count. False when no mark was found.
   */
  boolean onBytes(FanOutSubscriber sub, Buffer buffer) {
    byte[] b = buffer.getBytes();
    int n = b.length;
    boolean found = false;
    int tracked = 0;
    int i = 0;
    while (i + 3 <= n) {
      if (b[i] != 'p' || b[i + 1] != 'b' || b[i + 2] != '#') {
        i++;
        continue;
      }
      found = true;
      int p = i + 3;
      if (p < n && b[p] == 'P') {
        sub.seen();
        i = p;
        continue;
      }
      long now = System.nanoTime();
      long seq = 0;
      while (p < n && b[p] >= '0' && b[p] <= '9') {
        seq = seq * 10 + (b[p++] - '0');
      }
      p++;
      long stamp = 0;
      while (p < n && b[p] >= '0' && b[p] <= '9') {
        stamp = stamp * 10 + (b[p++] - '0');
      }
      sub.seen();
      delivered.increment();
      tracked++;
      int slot = (int) (seq & (RING - 1));
      if (!settings.loop()) {
        recorder.get().add(stamp, now - stamp);
        slotSlowest.accumulateAndGet(slot, now - stamp, Math::max);
        slotFastest.accumulateAndGet(slot, now - stamp, Math::min);
      }
      if (counts.incrementAndGet(slot) == expected.get(slot)) {
        complete(slot);
      }
      i = p;
    }
    if (tracked == 1 && deliveryMessageBytes == 0) {
      deliveryMessageBytes = n;
    }
    return found;
  }

  void complete(int slot) {
    if (done.compareAndSet(slot, 0, 1)) {
      if (!settings.loop()) {
        messageTails.add(new long[] {slotStamp.get(slot), slotSlowest.get(slot), slotFastest.get(slot)});
      }
      completed.incrementAndGet();
      onComplete.run();
    }
  }
}
