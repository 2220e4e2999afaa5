package io.parley.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bridge's meters, one set per node shared by every bridge instance: open sockets,
 * frames in and out, refusals by reason, rooms with local members.
 */
public final class BridgeMetrics {

  private final MeterRegistry registry;
  private final AtomicInteger openSockets = new AtomicInteger();
  private final AtomicInteger rooms = new AtomicInteger();
  private final Counter framesIn;
  private final Counter framesOut;
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

  public BridgeMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("parley.bridge.sockets.open", openSockets, AtomicInteger::get)
      .description("Sockets open on this node").register(registry);
    Gauge.builder("parley.bridge.rooms", rooms, AtomicInteger::get)
      .description("Rooms with at least one member socket on this node").register(registry);
    framesIn = Counter.builder("parley.bridge.frames.in").description("Frames received from sockets").register(registry);
    framesOut = Counter.builder("parley.bridge.frames.out").description("Frames written to sockets").register(registry);
  }

  void socketOpened() {
    openSockets.incrementAndGet();
  }

  void socketClosed() {
    openSockets.decrementAndGet();
  }

  void roomAdded() {
    rooms.incrementAndGet();
  }

  void roomRemoved() {
    rooms.decrementAndGet();
  }

  void frameIn() {
    framesIn.increment();
  }

  void framesOut(int count) {
    framesOut.increment(count);
  }

  /** A refused frame; {@code reason} is one of a few fixed words, never client input. */
  void refused(String reason) {
    refusals.computeIfAbsent(reason, r -> Counter.builder("parley.bridge.refusals")
      .description("Frames refused, by reason").tag("reason", r).register(registry)).increment();
  }
}
