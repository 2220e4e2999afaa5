package io.parley.cluster;

import io.parley.testing.BridgeClient;
import io.parley.testing.PusherJsClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes in a real Hazelcast cluster with shared Redis, pusher-js clients on both and a bridge
 * client on one: a presence channel's members are the same whichever node a subscriber asks,
 * member events and client events cross nodes, and when a node goes away the other removes its
 * members from presence, which pusher-js hears as {@code pusher:member_removed}.
 */
class PusherClusterTest {

  private static final long LEASE_MS = 2000;
  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeEach
  void start_two_nodes() {
    String cluster = "pusher-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    JsonObject config = new JsonObject().put("rooms", new JsonObject().put("nodeLeaseMs", LEASE_MS));
    for (int port : ports) {
      nodes.add(TestNode.startClustered(cluster, port, TestNode.members(ports), config));
    }
  }

  @AfterEach
  void stop() {
    nodes.forEach(TestNode::close);
  }

  private static JsonObject user(String id) {
    return new JsonObject().put("user_id", id).put("user_info", new JsonObject().put("name", "Name of " + id));
  }

  @Test
  void presence_is_exact_from_either_node_and_events_and_departures_cross_nodes() {
    TestNode a = nodes.get(0);
    TestNode b = nodes.get(1);
    try (PusherJsClient carol = PusherJsClient.connect(a); PusherJsClient dave = PusherJsClient.connect(b);
         PusherJsClient erin = PusherJsClient.connect(b); BridgeClient ann = b.signIn("ann", TestNode.boards("60"))) {
      ann.join("board-60");
      carol.subscribe("presence-board-60", user("carol"));
      assertThat(carol.awaitEvent("presence-board-60", "pusher:subscription_succeeded").getJsonObject("data").getInteger("count"))
        .as("ann, on the other node, and carol").isEqualTo(2);
      dave.subscribe("presence-board-60", user("dave"));
      erin.subscribe("presence-board-60", user("erin"));
      dave.awaitEvent("presence-board-60", "pusher:subscription_succeeded");
      erin.awaitEvent("presence-board-60", "pusher:subscription_succeeded");
      assertThat(carol.awaitEvent("presence-board-60", "pusher:member_added").getJsonObject("data").getString("id")).isIn("dave", "erin");
      assertThat(carol.awaitEvent("presence-board-60", "pusher:member_added").getJsonObject("data").getString("id")).isIn("dave", "erin");

      assertThat(carol.members("presence-board-60").getJsonObject("members").getMap()).containsOnlyKeys("ann", "carol", "dave", "erin");
      assertThat(dave.members("presence-board-60").getJsonObject("members").getMap()).containsOnlyKeys("ann", "carol", "dave", "erin");

      carol.trigger("presence-board-60", "client-hello", new JsonObject().put("from", "a"));
      JsonObject hello = dave.awaitMessage("presence-board-60", "client-hello");
      assertThat(hello.getString("user_id")).isEqualTo("carol");
      assertThat(ann.envelopesUntil("room.board-60", "client-hello")).isNotEmpty();

      // b goes: its members (dave, erin and ann) leave presence through the eviction by a
      b.close();
      nodes.remove(b);
      List<String> removed = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        removed.add(carol.awaitEvent("presence-board-60", "pusher:member_removed").getJsonObject("data").getString("id"));
      }
      assertThat(removed).containsExactlyInAnyOrder("dave", "erin", "ann");
      assertThat(carol.members("presence-board-60").getInteger("count")).isEqualTo(1);
    }
  }
}
