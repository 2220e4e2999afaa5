package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.List;

/** A share of the fan-out's subscribers on one event loop. */
final class FanOutLane extends VerticleBase {

  final List<FanOutSubscriber> subs = new ArrayList<>();
  private final FanOutTally tally;
  private final SourceClients sources;
  private final int budget;

  /** Subscriber {@code i} of the lane connects from source {@code i}, {@code budget} at a time. */
  FanOutLane(FanOutTally tally, SourceClients sources, int budget) {
    this.tally = tally;
    this.sources = sources;
    this.budget = budget;
  }

  /** Runs {@code action} on this lane's event loop. */
  Future<Void> onLoop(Runnable action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      action.run();
      done.complete();
    });
    return done.future();
  }

  /** Connects every subscriber; completes when each joined or failed. */
  Future<Void> connectAll() {
    Promise<Void> all = Promise.promise();
    context.runOnContext(v -> new Handshakes(subs.size(), budget, this::connect, (i, ar) -> {
      if (ar.failed()) {
        tally.failed.incrementAndGet();
        tally.reason("connect/join failed", String.valueOf(ar.cause()));
      }
    }).run().onComplete(all));
    return all.future();
  }

  private Future<Void> connect(int i) {
    FanOutSubscriber sub = subs.get(i);
    Promise<Void> p = Promise.promise();
    vertx.setTimer(60_000, id -> p.tryFail("not joined in 60 s"));
    sub.open(sources, i).onComplete(ar -> {
      if (ar.failed()) {
        p.tryFail(ar.cause());
        return;
      }
      sub.start(p);
    });
    return p.future();
  }

  Future<Void> closeAll() {
    return onLoop(() -> subs.forEach(FanOutSubscriber::close));
  }
}
