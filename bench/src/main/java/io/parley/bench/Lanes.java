package io.parley.bench;

import io.vertx.core.Deployable;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The generators' clients run in lanes, one per event loop (no thread per connection): client
 * {@code i} belongs to lane {@code i mod lanes}, and touches its sockets only from that loop.
 */
final class Lanes {

  /** The client indexes of lane {@code lane} among {@code lanes}, out of {@code count}. */
  static List<Integer> share(int lane, int lanes, int count) {
    List<Integer> indexes = new ArrayList<>();
    for (int i = lane; i < count; i += lanes) {
      indexes.add(i);
    }
    return indexes;
  }

  /** Deploys {@code count} lanes made by {@code lane}, each started before the next. */
  static <L extends Deployable> List<L> deploy(Vertx vertx, int count, IntFunction<L> lane) {
    List<L> lanes = new ArrayList<>();
    for (int l = 0; l < count; l++) {
      L made = lane.apply(l);
      Futures.await(vertx.deployVerticle(made), 30, "starting lane " + l);
      lanes.add(made);
    }
    return lanes;
  }

  private Lanes() {
  }
}
