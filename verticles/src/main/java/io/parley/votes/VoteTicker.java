package io.parley.votes;

import io.parley.rooms.RoomStore;
import io.parley.shared.FailureLog;
import io.parley.shared.RealtimeService;
import io.parley.shared.RoomName;
import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;

/**
 * The tally clock, without a leader: time is cut into intervals of {@code tickMs} (interval
 * {@code n} starts at {@code n · tickMs}), every votes verticle instance on every node wakes
 * shortly after each interval starts and asks the store to {@link VoteStore#claimInterval claim}
 * it, and the one caller that gets it tallies every active room and publishes
 * {@code votes.tick {data: [{ts, votes, connected}]}} in each ({@code ts} = the interval's start).
 * When the node that ticked dies, the next interval is claimed by a survivor: at most the
 * interval the dead node was ticking is lost, none is ticked twice.
 *
 * <p>Ticks are server events published through {@link RealtimeService}, that is through this
 * node's {@link io.parley.rooms.RoomPublisher}: on the node that claimed the interval, with no
 * bus hop, so a tick never waits on another node's rooms verticle (one that just died may still
 * be in the cluster's registry).
 *
 * <p>A tick costs one {@code memberCount} (O(1)), one {@link VoteStore#tick} (O(options)) and
 * one publish per active room. A room with no votes and nobody in it leaves the active set at
 * its tick (that last tick, with zeros, is still published and kept); it comes back with the
 * next vote or join.
 */
final class VoteTicker {

  private static final Logger LOG = LoggerFactory.getLogger(VoteTicker.class);
  /** Rooms tallied at once by the claiming caller, so thousands of rooms do not flood the pool. */
  private static final int BATCH = 64;

  private final Vertx vertx;
  private final VoteStore votes;
  private final RoomStore rooms;
  private final RealtimeService realtime;
  private final VotesOptions options;
  private final Clock clock;
  private final FailureLog failures;
  private long timer = -1;
  private boolean stopped;

  /**
   * @param rooms    who is connected (the tally's {@code connected})
   * @param realtime where ticks are published
   * @param failures a tick that fails every interval (a store outage) is logged once per kind and interval
   */
  VoteTicker(Vertx vertx, VoteStore votes, RoomStore rooms, RealtimeService realtime, VotesOptions options, Clock clock,
             FailureLog failures) {
    this.vertx = vertx;
    this.votes = votes;
    this.rooms = rooms;
    this.realtime = realtime;
    this.options = options;
    this.clock = clock;
    this.failures = failures;
  }

  void start() {
    schedule();
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  /** Wakes a twentieth of an interval after the next one starts (by the injected clock). */
  private void schedule() {
    if (stopped) {
      return;
    }
    long tickMs = options.tickMs();
    long now = clock.millis();
    long delay = Math.floorDiv(now, tickMs) * tickMs + tickMs - now + tickMs / 20;
    timer = vertx.setTimer(Math.max(1, delay), id -> {
      schedule();
      runInterval(Math.floorDiv(clock.millis(), tickMs))
        .onFailure(e -> failures.warn("votes tick (the next interval tries again)", e, LOG));
    });
  }

  /**
   * Claims interval {@code interval} and, if this caller got it, tallies every active room.
   * Answers how many rooms were ticked, or -1 when another caller has the interval.
   */
  Future<Integer> runInterval(long interval) {
    long ts = interval * options.tickMs();
    return votes.claimInterval(interval, 2 * options.tickMs()).compose(won -> !won
      ? Future.succeededFuture(-1)
      : votes.activeRooms().compose(active -> tickAll(active, 0, ts, 0)));
  }

  private Future<Integer> tickAll(List<RoomName> active, int from, long ts, int ticked) {
    if (from >= active.size()) {
      return Future.succeededFuture(ticked);
    }
    List<RoomName> batch = active.subList(from, Math.min(active.size(), from + BATCH));
    CompositeFuture done = Future.join(batch.stream().map(room -> tick(room, ts)).toList());
    return done.transform(ignored -> {
      int count = 0;
      for (int i = 0; i < batch.size(); i++) {
        if (done.succeeded(i)) {
          count += Boolean.TRUE.equals(done.resultAt(i)) ? 1 : 0;
        } else {
          failures.warn("ticking a votes room", done.cause(i), LOG);
        }
      }
      return tickAll(active, from + batch.size(), ts, ticked + count);
    });
  }

  /** One room's tally at {@code ts}: true when it was ticked (false: it already had this interval). */
  private Future<Boolean> tick(RoomName room, long ts) {
    return rooms.memberCount(room)
      .compose(connected -> votes.tick(room, ts, connected, options.options()))
      .compose(tick -> {
        if (tick == null) {
          return Future.succeededFuture(false);
        }
        Future<?> published = realtime.trigger(room.value(), VotesVerticle.TICK,
          new JsonObject().put("data", new JsonArray().add(tick.entry())));
        // someone may have joined between the member count and the tick that dropped the room:
        // their join's activation may have come before the drop, so look again
        Future<?> kept = tick.idle()
          ? rooms.memberCount(room).compose(now -> now > 0 ? votes.activate(room) : Future.succeededFuture())
          : Future.succeededFuture();
        return Future.all(published, kept).map(true);
      });
  }
}
