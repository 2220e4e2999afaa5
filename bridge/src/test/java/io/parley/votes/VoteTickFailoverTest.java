package io.parley.votes;

import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.parley.votes.VotesClusterTest.TICK_MS;
import static io.parley.votes.VotesClusterTest.assertOncePerInterval;
import static io.parley.votes.VotesClusterTest.timestamps;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes tick a room between them (each interval goes to whichever claims it first); one is
 * closed while ticks flow, its Vert.x and all, mid-interval. A client on the survivor sees
 * every interval ticked once: none twice, and at most the one the closed node was ticking
 * missing (exactly one node ticks each interval, and ticking moves on by itself);
 * and the closed node's user, gone from the room, no longer counts.
 */
class VoteTickFailoverTest {

  private final List<TestNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void when_a_ticking_node_goes_the_survivor_ticks_the_next_interval() throws Exception {
    String cluster = "votes-failover-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    for (int port : ports) {
      nodes.add(TestNode.startClustered(cluster, port, TestNode.members(ports), VotesClusterTest.config()));
    }
    TestNode survivor = nodes.get(0);
    TestNode victim = nodes.get(1);
    String room = "votes-failover";
    try (VoteTab watcher = VoteTab.join(survivor, "watcher", room)) {
      VoteTab onVictim = VoteTab.join(victim, "victim-user", room);
      onVictim.cast("yes", 1);
      watcher.cast("no", 1);
      watcher.awaitTick(20, tick -> tick.getJsonObject("votes").equals(VoteTab.votes(1, 1)));
      List<JsonObject> before = watcher.ticks(10);

      // half an interval in, when the next tick is being claimed or published
      Thread.sleep(TICK_MS / 2);
      victim.close();
      nodes.remove(victim);
      List<JsonObject> after = watcher.ticks(12);

      List<Long> all = new ArrayList<>(timestamps(before));
      all.addAll(timestamps(after));
      assertOncePerInterval(all);
      assertThat(after).as("the survivor's own vote is still counted")
        .allMatch(tick -> tick.getJsonObject("votes").getInteger("no") == 1);
      // the closed node's user left the room (its sockets closed, or its lease ran out): their vote went
      assertThat(watcher.awaitTick(60, VoteTab.counts(0, 1, 1))).isNotNull();
    }
  }
}
