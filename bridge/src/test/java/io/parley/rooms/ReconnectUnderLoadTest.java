package io.parley.rooms;

import io.parley.shared.RealtimeService;
import io.parley.shared.TestRedis;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tab that drops its connection again and again while its room is busy loses nothing: after
 * each reconnect it catches up with {@code rooms.history} from the last offset it saw, then reads
 * live, as {@code docs/protocol.md} (catch-up) tells clients to. Over 100 reconnects at about
 * 1,000 publishes a second through the Redis room store, every acknowledged envelope reaches it
 * exactly once and in order, and no socket's live stream ever goes backwards or repeats.
 */
class ReconnectUnderLoadTest {

  private static final String ROOM = "votes-churn";
  private static final String ADDRESS = "room." + ROOM;

  @Test
  void a_tab_reconnecting_one_hundred_times_under_load_sees_every_envelope_once_in_order() throws Exception {
    String prefix = TestRedis.freshPrefix();
    // a history long enough for any reconnect on a busy machine: this is about order and
    // exactly-once across reconnects; a gap past the history is answered recovered:false (RoomsOverBridgeTest)
    JsonObject redis = new JsonObject().put("redis", new JsonObject().put("uri", TestNode.REDIS_URI).put("prefix", prefix))
      .put("rooms", new JsonObject().put("history", new JsonObject().put("maxSize", 100_000)));
    try (TestNode node = TestNode.start(redis)) {
      RealtimeService realtime = node.node().realtime();
      Set<Long> acknowledged = new ConcurrentSkipListSet<>();
      AtomicBoolean publishing = new AtomicBoolean(true);
      AtomicInteger inFlight = new AtomicInteger();
      // up to 1,000 a second (10 every 10 ms), each acknowledged with its offset; at most 100 in
      // flight, so a busy machine slows the load down instead of queueing it without end
      long timer = node.vertx().setPeriodic(10, id -> {
        for (int i = 0; i < 10 && publishing.get() && inFlight.get() < 100; i++) {
          inFlight.incrementAndGet();
          realtime.trigger(ROOM, "load", i)
            .onSuccess(published -> acknowledged.add(published.offset()))
            .onComplete(done -> inFlight.decrementAndGet());
        }
      });
      long started = System.nanoTime();

      TreeSet<Long> seen = new TreeSet<>();
      String sessionId = UUID.randomUUID().toString();
      String epoch = null;
      for (int cycle = 0; cycle < 100; cycle++) {
        try (BridgeClient tab = node.signIn("tia", new JsonObject(), sessionId)) {
          tab.join(ROOM);
          long since = seen.isEmpty() ? 0 : seen.last();
          JsonObject history = tab.request("rooms.history", new JsonObject().put("room", ROOM).put("sinceOffset", since)
            .put("epoch", epoch));
          if (epoch != null) {
            assertThat(history.getBoolean("recovered")).as("cycle %d: the gap after %d is within the history: %s",
              cycle, since, history.copy().put("events", history.getJsonArray("events", new JsonArray()).size())).isTrue();
          }
          epoch = history.getString("epoch");
          for (Object envelope : history.getJsonArray("events", new JsonArray())) {
            take(seen, ((JsonObject) envelope).getLong("offset"), false);
          }
          // live for a moment: deliveries that the history already held are the overlap a client skips
          long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20 + cycle % 5 * 10);
          long lastLive = 0;
          while (System.nanoTime() < until) {
            for (JsonObject frame : tab.drain(ADDRESS)) {
              Long offset = frame.getJsonObject("body").getLong("offset");
              if (offset == null) {
                continue; // presence: the tab's own comings and goings, not in the stream
              }
              assertThat(offset).as("cycle %d: a socket's live stream only goes forward", cycle).isGreaterThan(lastLive);
              lastLive = offset;
              take(seen, offset, true);
            }
            Thread.sleep(2);
          }
        }
      }
      publishing.set(false);
      node.vertx().cancelTimer(timer);
      double seconds = (System.nanoTime() - started) / 1e9;

      // the last reconnect catches up with everything acknowledged
      Thread.sleep(200);
      try (BridgeClient tab = node.signIn("tia", new JsonObject(), sessionId)) {
        JsonObject history = tab.request("rooms.history", new JsonObject().put("room", ROOM).put("sinceOffset", seen.last())
          .put("epoch", epoch));
        assertThat(history.getBoolean("recovered")).isTrue();
        history.getJsonArray("events").forEach(envelope -> take(seen, ((JsonObject) envelope).getLong("offset"), false));
      }
      System.out.printf("100 reconnects in %.1f s: %,d envelopes acknowledged (%.0f/s), %,d seen%n",
        seconds, acknowledged.size(), acknowledged.size() / seconds, seen.size());
      assertThat(acknowledged.size()).as("the publisher kept up a real load").isGreaterThan(1_000);
      assertThat(seen).as("every acknowledged envelope arrived").containsAll(acknowledged);
      assertThat(seen.first()).isEqualTo(1L);
      assertThat(seen.last() - seen.first() + 1).as("no gap in the stream").isEqualTo(seen.size());
    } finally {
      TestRedis.deleteKeys(prefix);
    }
  }

  /** Records an offset; live deliveries the history already gave are skipped, anything else twice is a duplicate. */
  private static void take(TreeSet<Long> seen, long offset, boolean live) {
    boolean added = seen.add(offset);
    if (!added && !live) {
      throw new AssertionError("offset " + offset + " came twice from history");
    }
  }
}
