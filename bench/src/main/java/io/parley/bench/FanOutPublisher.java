package io.parley.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;

/**
 * The fan-out's publisher, on an event loop of its own. {@code --mode loop}: at most
 * {@code --window} messages not yet delivered to every live subscriber. {@code --mode rate}:
 * one message every subscribers/rate seconds, each stamped with its scheduled send time.
 */
final class FanOutPublisher extends VerticleBase {

  private final FanOutTally tally;
  private final FanOut.Settings settings;
  private final SourceClients sources;
  private final FanOutClient server;
  private final String padding;
  /** The publisher's websocket, when it has one (see {@link FanOutClient#connectPublisher}). */
  WebSocket ws;
  long seq;
  volatile long sent;
  long nextDue;
  long interval;
  boolean running;
  long publishErrors;

  FanOutPublisher(FanOutTally tally, SourceClients sources, FanOutClient server) {
    this.tally = tally;
    this.settings = tally.settings;
    this.sources = sources;
    this.server = server;
    this.padding = "x".repeat(settings.payload());
  }

  Context ctx() {
    return context;
  }

  Vertx vertx() {
    return vertx;
  }

  @Override
  public Future<?> start() {
    return server.connectPublisher(this, sources);
  }

  String data(String seqText, long stamp) {
    String head = FanOutTally.MARK + seqText + "," + stamp + ",";
    return head + padding.substring(0, Math.max(0, settings.payload() - head.length()));
  }

  void probe() {
    server.publish(this, data("P", 0));
  }

  void sendTracked(long stamp) {
    int slot = (int) (seq & (FanOutTally.RING - 1));
    tally.counts.set(slot, 0);
    tally.slotStamp.set(slot, stamp);
    tally.slotSlowest.set(slot, 0);
    tally.slotFastest.set(slot, Long.MAX_VALUE);
    tally.done.set(slot, 0);
    tally.expected.set(slot, tally.live.get());
    server.publish(this, data(Long.toString(seq), stamp));
    seq++;
    sent++;
  }

  void pump() {
    while (running && sent - tally.completed.get() < settings.window()) {
      sendTracked(System.nanoTime());
    }
  }

  /** Completes in-flight messages whose count reached the live subscribers after drops. */
  void sweep() {
    int liveNow = tally.live.get();
    for (long s = Math.max(0, seq - FanOutTally.RING / 2); s < seq; s++) {
      int slot = (int) (s & (FanOutTally.RING - 1));
      if (tally.done.get(slot) == 0 && tally.counts.get(slot) >= liveNow) {
        tally.complete(slot);
      }
    }
  }

  void startLoop() {
    running = true;
    tally.onComplete = () -> context.runOnContext(v -> pump());
    vertx.setPeriodic(100, id -> {
      if (running) {
        sweep();
        pump();
      }
    });
    pump();
  }

  void startRate(long origin) {
    running = true;
    interval = (long) (1e9 * settings.subscribers() / settings.rate());
    nextDue = origin;
    vertx.setPeriodic(1, id -> {
      long now = System.nanoTime();
      while (running && nextDue <= now) {
        sendTracked(nextDue);
        nextDue += interval;
      }
    });
  }
}
