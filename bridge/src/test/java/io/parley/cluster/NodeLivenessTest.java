package io.parley.cluster;

import io.parley.bridge.netty.EventLoops;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node that is busy is not a dead node: its lease is renewed on a thread of its own, so a
 * node whose event loops are all stalled for three times its lease (deliveries to thousands of
 * sockets on a saturated core, in the benchmark that found this) keeps its members in their
 * rooms and its sockets open.
 */
class NodeLivenessTest {

  private static final long LEASE_MS = 1_000;

  @Test
  void a_node_whose_event_loops_stall_longer_than_its_lease_keeps_its_lease() throws Exception {
    String cluster = "liveness-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    JsonObject shortLease = new JsonObject().put("rooms", new JsonObject().put("nodeLeaseMs", LEASE_MS));
    try (TestNode busy = TestNode.startClustered(cluster, ports[0], TestNode.members(ports), shortLease);
         TestNode other = TestNode.startClustered(cluster, ports[1], TestNode.members(ports), shortLease)) {
      String room = "board-busy";
      JsonObject board = TestNode.boards("busy");
      try (BridgeClient tab = busy.signIn("bea", board); BridgeClient watcher = other.signIn("wes", board)) {
        watcher.join(room);
        tab.join(room);
        watcher.envelopesUntil("room." + room, "presence.join");

        EventLoops.stallEveryEventLoop(busy.vertx(), 3 * LEASE_MS);

        watcher.request("rooms.publish", new JsonObject().put("room", room).put("event", "user.update").put("data", "after"));
        List<JsonObject> afterStall = watcher.envelopesUntil("room." + room, "user.update");
        assertThat(afterStall).extracting(e -> e.getString("event")).as("no presence.leave for bea").doesNotContain("presence.leave");
        assertThat(BridgeClient.connectionsOf(tab.request("rooms.state", new JsonObject().put("room", room)), "bea"))
          .as("the busy node's tab is open and still a member").isEqualTo(1);
      }
    }
  }
}
