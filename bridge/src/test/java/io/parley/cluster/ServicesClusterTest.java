package io.parley.cluster;

import io.parley.bridge.HttpOptions;
import io.parley.testing.BridgeClient;
import io.parley.testing.TcpBridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes in a real Hazelcast cluster with shared Redis: a service connected over TCP to one
 * node serves the whole cluster. What it registers is consumed on the clustered bus, so a
 * browser's join on the other node is decided by it, and it hears that node's server events.
 */
class ServicesClusterTest {

  private static final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  static void start_two_nodes() {
    String cluster = "services-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    JsonObject config = TestNode.TCP.copy().put("rooms", new JsonObject().put("policy", "bus").put("authorizeTimeoutMs", 2000));
    for (int port : ports) {
      nodes.add(TestNode.startClustered(cluster, port, TestNode.members(ports), config));
    }
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNode::close);
  }

  @Test
  void a_service_on_one_node_decides_joins_and_hears_server_events_of_another_and_publishes_to_its_members() {
    TestNode serviceNode = nodes.get(0);
    TestNode browserNode = nodes.get(1);
    try (TcpBridgeClient service = serviceNode.service(HttpOptions.DEV_API_KEY);
         BridgeClient ann = browserNode.signIn("acme.ann"); BridgeClient bob = browserNode.signIn("bob")) {
      service.answerEach("rooms.authorize", question -> new JsonObject()
        .put("allowed", question.getJsonObject("body").getString("userId").startsWith("acme.")));
      service.registerAndAwait("rooms.authorize", "rooms.joined");

      JsonObject state = ann.join("org-acme");
      assertThat(BridgeClient.connectionsOf(state, "acme.ann")).isEqualTo(1);
      bob.register("room.org-acme");
      assertThat(bob.nextRefusal("room.org-acme").getInteger("failureCode")).isEqualTo(403);

      JsonObject joined = service.next("rooms.joined");
      assertThat(joined.getJsonObject("body").getString("userId")).isEqualTo("acme.ann");

      service.request("rooms.publish", new JsonObject().put("room", "org-acme").put("event", "billing.invoice-paid").put("data", 3));
      List<JsonObject> seen = ann.envelopesUntil("room.org-acme", "billing.invoice-paid");
      assertThat(seen.get(seen.size() - 1).containsKey("from")).isFalse();
    }
  }
}
