package io.parley.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.ArrayList;
import java.util.List;

/** A share of the fan-out's subscribers on one event loop. */
final class FanOutLane extends VerticleBase {

  final List<FanOutSubscriber> subs = new ArrayList<>();
  private final FanOutTally tally;
  private final List<WebSocketClient> clients;
  private final int budget;

  /** Subscriber {@code i} of the lane connects from {@code clients[i mod clients]}, {@code budget} at a time. */
  FanOutLane(FanOutTally tally, List<WebSocketClient> clients, int budget) {
    this.tally = tally;
    this.clients = clients;
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
    WebSocketClient client = clients.get(i % clients.size());
    Promise<Void> p = Promise.promise();
    vertx.setTimer(60_000, id -> p.tryFail("not joined in 60 s"));
    client.connect(new WebSocketConnectOptions().setHost(tally.settings.host()).setPort(sub.port()).setURI(sub.uri()))
      .onComplete(ar -> {
        if (ar.failed()) {
          p.tryFail(ar.cause());
          return;
        }
        sub.ws = ar.result();
        sub.start(p);
      });
    return p.future();
  }

  Future<Void> closeAll() {
    return onLoop(() -> {
      for (FanOutSubscriber s : subs) {
        if (s.ws != null && !s.ws.isClosed()) {
          s.closedByUs = true;
          s.ws.close();
        }
      }
    });
  }
}
