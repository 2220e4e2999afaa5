package io.parley.cluster;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Nodes built from the {@code deployment} section: a bridge-only node in front of a node that
 * runs auth and two instances of the rooms verticle (any verticle, any node,
 * N instances, no double delivery or counting).
 */
class ComposableDeploymentTest {

  private static TestNode bridgeOnly;
  private static TestNode backend;

  @BeforeAll
  static void start() throws IOException {
    String cluster = "compose-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    backend = TestNode.startClustered(cluster, ports[0], TestNode.members(ports),
      new JsonObject().put("deployment", new JsonObject().put("auth", 1).put("rooms", 2).put("http", 0)));
    bridgeOnly = TestNode.startClustered(cluster, ports[1], TestNode.members(ports),
      new JsonObject().put("deployment", new JsonObject().put("auth", 0).put("rooms", 0).put("locks", 0).put("http", 1)));
  }

  @AfterAll
  static void stop() {
    bridgeOnly.close();
    backend.close();
  }

  @Test
  void a_bridge_only_node_serves_clients_through_verticles_on_another_node() {
    assertThat(backend.port()).as("the backend runs no HTTP server").isEqualTo(-1);
    try (BridgeClient ann = bridgeOnly.signIn("ann"); BridgeClient bob = bridgeOnly.signIn("bob")) {
      bob.join("votes-compose");
      ann.register("room.votes-compose");
      JsonObject state = ann.request("rooms.state", new JsonObject().put("room", "votes-compose"));
      assertThat(state.getJsonArray("members").stream().map(JsonObject.class::cast).map(m -> m.getInteger("connections")).toList())
        .as("two rooms verticles, each connection counted once").containsExactly(1, 1);

      for (int i = 0; i < 20; i++) {
        ann.request("rooms.publish", new JsonObject().put("room", "votes-compose").put("event", "user.update").put("data", i));
      }
      ann.request("rooms.publish", new JsonObject().put("room", "votes-compose").put("event", "chat.new-message").put("data", "end"));
      List<JsonObject> seen = bob.envelopesUntil("room.votes-compose", "chat.new-message");
      List<Integer> data = seen.stream().filter(e -> e.getString("event").equals("user.update")).map(e -> e.getInteger("data")).toList();
      assertThat(data).as("each publish delivered once, in order").isEqualTo(java.util.stream.IntStream.range(0, 20).boxed().toList());
      assertThat(seen.stream().filter(e -> e.getString("event").equals("presence.join"))
        .filter(e -> e.getJsonObject("data").getString("userId").equals("ann")).count())
        .as("one presence.join for ann, not one per rooms verticle").isEqualTo(1);
    }
  }
}
