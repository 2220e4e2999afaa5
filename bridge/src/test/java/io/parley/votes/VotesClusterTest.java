package io.parley.votes;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.parley.votes.VoteTab.counts;
import static io.parley.votes.VoteTab.votes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Live votes over real SockJS connections to two nodes of a real Hazelcast cluster,
 * sharing a real Redis, with a short tally interval ({@value #TICK_MS} ms).
 * Assertions are on counts and on the sequence of ticks (their {@code ts} is the start of their
 * interval), never on wall-clock timing; every wait is bounded by a number of ticks.
 * The ticking node dying: {@link VoteTickFailoverTest}.
 */
class VotesClusterTest {

  static final long TICK_MS = 200;

  private static final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start_two_nodes() throws IOException {
    String cluster = "votes-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    for (int port : ports) {
      nodes.add(TestNode.startClustered(cluster, port, TestNode.members(ports), config()));
    }
  }

  static JsonObject config() {
    return new JsonObject().put("votes", new JsonObject().put("tickMs", TICK_MS));
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNode::close);
  }

  private static String room(String what) {
    return "votes-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void ticks_carry_the_counts_while_votes_change() {
    String room = room("counts");
    try (VoteTab ann = VoteTab.join(nodes.get(0), "ann", room);
         VoteTab bob = VoteTab.join(nodes.get(1), "bob", room);
         VoteTab cat = VoteTab.join(nodes.get(0), "cat", room)) {
      assertThat(ann.cast("yes", 1)).isEqualTo(new JsonObject().put("accepted", true));
      bob.cast("no", 1);
      cat.cast("yes", 1);

      ann.awaitTick(20, counts(2, 1, 3));
      assertThat(bob.awaitTick(20, counts(2, 1, 3))).as("the same ticks on the other node").isNotNull();
      assertThat(ann.ticks(3)).as("steady while nothing changes").allMatch(counts(2, 1, 3));

      bob.cast("yes", 2);
      ann.awaitTick(20, counts(3, 0, 3));
      assertThat(ann.ticks(2)).allMatch(counts(3, 0, 3));

      cat.cast("no", 2);
      ann.cast("no", 2);
      ann.awaitTick(20, counts(1, 2, 3));
      assertThat(cat.awaitTick(20, counts(1, 2, 3))).isNotNull();
      assertThat(ann.ticks(2)).allMatch(counts(1, 2, 3));
    }
  }

  @Test
  void every_interval_is_ticked_once_across_the_cluster() {
    String room = room("once");
    try (VoteTab onNode0 = VoteTab.join(nodes.get(0), "ann", room);
         VoteTab onNode1 = VoteTab.join(nodes.get(1), "bob", room)) {
      onNode0.cast("yes", 1);
      onNode0.awaitTick(20, counts(1, 0, 2));
      onNode1.awaitTick(20, counts(1, 0, 2));

      List<Long> seen0 = timestamps(onNode0.ticks(15));
      List<Long> seen1 = timestamps(onNode1.awaitTick(20, tick -> tick.getLong("ts").equals(seen0.get(0))), onNode1.ticks(14));

      assertOncePerInterval(seen0);
      assertThat(seen1).as("both nodes' clients get the same ticks").isEqualTo(seen0);
    }
  }

  @Test
  void a_late_joiner_gets_the_full_history_then_the_live_ticks() {
    String room = room("late");
    try (VoteTab early = VoteTab.join(nodes.get(0), "early", room)) {
      early.cast("yes", 1);
      List<JsonObject> live = new ArrayList<>(early.ticks(4));
      try (VoteTab late = VoteTab.join(nodes.get(1), "late", room)) {
        late.cast("no", 1);
        List<JsonObject> history = toList(late.history().getJsonArray("data"));
        long lastInHistory = history.get(history.size() - 1).getLong("ts");
        while (live.get(live.size() - 1).getLong("ts") < lastInHistory) {
          live.add(early.nextTick());
        }

        assertThat(history).as("every tick since the room started, as they were delivered").isEqualTo(live);
        // ticks that arrived between registering and the history reply are told apart by ts
        Map<Long, JsonObject> merged = new LinkedHashMap<>();
        history.forEach(tick -> merged.put(tick.getLong("ts"), tick));
        for (JsonObject tick : late.ticks(3)) {
          merged.putIfAbsent(tick.getLong("ts"), tick);
        }
        assertOncePerInterval(new ArrayList<>(merged.keySet()));
        assertThat(late.awaitTick(20, counts(1, 1, 2))).isNotNull();
      }
    }
    try (VoteTab fresh = VoteTab.outside(nodes.get(1), "fresh", room("empty"))) {
      assertThat(fresh.history()).as("a room that never ticked").isEqualTo(new JsonObject().put("data", new JsonArray()));
    }
  }

  @Test
  void a_vote_older_than_the_users_last_one_is_ignored() {
    String room = room("stale");
    try (VoteTab ann = VoteTab.join(nodes.get(1), "ann", room)) {
      assertThat(ann.cast("yes", 1_000).getBoolean("accepted")).isTrue();
      assertThat(ann.cast("no", 999)).isEqualTo(new JsonObject().put("accepted", false));
      assertThat(ann.cast("yes", 1_000).getBoolean("accepted")).as("the same ts again").isTrue();

      ann.awaitTick(20, counts(1, 0, 1));
      assertThat(ann.ticks(2)).allMatch(counts(1, 0, 1));
    }
  }

  @Test
  void a_users_vote_goes_when_their_last_connection_to_the_room_closes() {
    String room = room("leave");
    try (VoteTab ann = VoteTab.join(nodes.get(0), "ann", room)) {
      VoteTab bob = VoteTab.join(nodes.get(1), "bob", room);
      VoteTab bobAgain = VoteTab.join(nodes.get(0), "bob", room);
      ann.cast("no", 1);
      bob.cast("yes", 1);
      ann.awaitTick(20, counts(1, 1, 2));

      bob.close();
      ann.awaitTick(20, tick -> true);
      assertThat(ann.ticks(3)).as("bob still has a tab in the room").allMatch(counts(1, 1, 2));

      bobAgain.close();
      ann.awaitTick(20, counts(0, 1, 1));
      assertThat(ann.ticks(2)).allMatch(counts(0, 1, 1));
    }
  }

  @Test
  void bad_votes_are_refused_and_change_nothing() {
    String room = room("bad");
    try (VoteTab ann = VoteTab.join(nodes.get(0), "ann", room);
         VoteTab stranger = VoteTab.outside(nodes.get(1), "stranger", room)) {
      assertThat(stranger.castCode(stranger.vote("yes", 1))).as("vote before joining").isEqualTo(403);
      assertThat(ann.castCode(ann.vote("maybe", 1))).as("not an option").isEqualTo(400);
      assertThat(ann.castCode(ann.vote("yes", 1).put("value", 1))).isEqualTo(400);
      assertThat(ann.castCode(new JsonObject().put("room", room).put("value", "yes"))).as("no ts").isEqualTo(400);
      assertThat(ann.castCode(ann.vote("yes", -5))).isEqualTo(400);
      assertThat(ann.castCode(ann.vote("yes", 1).put("room", "user-ann"))).as("not a votes room").isEqualTo(400);
      assertThat(ann.castCode(ann.vote("yes", 1).put("room", "bad room"))).isEqualTo(400);
      try {
        ann.client.request("votes.cast", ann.vote("maybe", 1));
        throw new AssertionError("accepted");
      } catch (BridgeClient.BridgeError e) {
        assertThat(e.getMessage()).as("a message a person can act on").contains("yes, no");
      }

      ann.awaitTick(20, counts(0, 0, 1));
      assertThat(ann.ticks(2)).allMatch(counts(0, 0, 1));
    }
  }

  @Test
  void client_config_says_how_to_connect_and_vote() {
    JsonObject config = nodes.get(0).get("/client-config").json();

    assertThat(config.getString("url")).isEqualTo("/eventbus");
    assertThat(config.getString("authAddress")).isEqualTo("auth.authenticate");
    assertThat(config.getJsonObject("votes")).isEqualTo(new JsonObject()
      .put("castAddress", "votes.cast").put("historyAddress", "votes.history").put("tickEvent", "votes.tick")
      .put("tickMs", TICK_MS).put("options", new JsonArray().add("yes").add("no"))
      .put("pokerOptions", new JsonArray(List.of("0", "1", "2", "3", "5", "8", "13", "21", "?"))));
  }

  // ---- helpers

  static List<Long> timestamps(List<JsonObject> ticks) {
    return ticks.stream().map(tick -> tick.getLong("ts")).toList();
  }

  private static List<Long> timestamps(JsonObject first, List<JsonObject> rest) {
    List<Long> all = new ArrayList<>();
    all.add(first.getLong("ts"));
    all.addAll(timestamps(rest));
    return all;
  }

  /**
   * Ticks at interval starts, each interval at most once, in order, and no more than one
   * interval missing between two ticks (a loaded machine may let one interval pass unclaimed).
   */
  static void assertOncePerInterval(List<Long> ts) {
    assertThat(ts).as("each interval once").doesNotHaveDuplicates();
    for (int i = 0; i < ts.size(); i++) {
      assertThat(ts.get(i) % TICK_MS).as("ts %d is an interval start", ts.get(i)).isZero();
      if (i > 0) {
        assertThat(ts.get(i) - ts.get(i - 1)).as("gap before tick %d of %s", i, ts).isBetween(TICK_MS, 2 * TICK_MS);
      }
    }
  }

  private static List<JsonObject> toList(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

}
