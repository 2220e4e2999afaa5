package io.parley.cluster;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every publish a node makes goes through that node's room publisher, straight into the shared
 * room store: not as a bus request to whichever node's rooms verticle the cluster picks. So what
 * a node's locks and HTTP API publish reaches the tabs even when no rooms verticle answers
 * anywhere: here the tabs' node runs none, and the only node that did has left the cluster.
 */
class LocalPublishTest {

  private TestNode edge;
  private TestNode roomsNode;

  @AfterEach
  void stop() {
    if (edge != null) {
      edge.close();
    }
    if (roomsNode != null) {
      roomsNode.close();
    }
  }

  @Test
  void a_lock_handed_over_and_an_api_event_reach_the_tabs_when_no_rooms_verticle_is_left_in_the_cluster() {
    String cluster = "local-publish-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    roomsNode = TestNode.startClustered(cluster, ports[0], TestNode.members(ports), new JsonObject().put("deployment",
      new JsonObject().put("auth", 0).put("rooms", 1).put("locks", 0).put("votes", 0).put("notifications", 0).put("http", 0)));
    edge = TestNode.startClustered(cluster, ports[1], TestNode.members(ports),
      new JsonObject().put("deployment", new JsonObject().put("rooms", 0)));
    String resource = "doc:handover";
    String annSession = UUID.randomUUID().toString();
    String bobSession = UUID.randomUUID().toString();
    try (BridgeClient ann = edge.signIn("ann", new JsonObject(), annSession);
         BridgeClient bob = edge.signIn("bob", new JsonObject(), bobSession)) {
      // joining still asks a rooms verticle (presence), the one on the other node
      ann.join("client-" + annSession);
      bob.join("client-" + bobSession);
      bob.join("lock-" + resource);
      assertThat(ann.request("locks.acquire", new JsonObject().put("resource", resource)).getBoolean("okToEdit")).isTrue();
      assertThat(nextEvent(bob, "room.lock-" + resource, "lock.status").getJsonObject("holder").getString("userId")).isEqualTo("ann");

      roomsNode.close();
      roomsNode = null;

      int receipt = bob.request("locks.kick", new JsonObject().put("resource", resource)).getInteger("receiptNumber");
      assertThat(nextEvent(ann, "room.client-" + annSession, "lock.kick-requested").getInteger("receiptNumber")).isEqualTo(receipt);
      ann.request("locks.kick.answer", new JsonObject().put("receiptNumber", receipt).put("kickMeOut", true));
      assertThat(nextEvent(bob, "room.client-" + bobSession, "lock.granted").getInteger("receiptNumber")).isEqualTo(receipt);
      assertThat(nextEvent(ann, "room.client-" + annSession, "lock.lost").getJsonObject("by").getString("userId")).isEqualTo("bob");
      assertThat(nextEvent(bob, "room.lock-" + resource, "lock.status").getJsonObject("holder").getString("userId"))
        .as("the watchers are told who edits now").isEqualTo("bob");

      TestNode.HttpResult published = edge.post("/api/rooms/lock-" + resource + "/events",
        new JsonObject().put("event", "doc.saved").put("data", "v2"), "dev-api-key");
      assertThat(published.status()).isEqualTo(202);
      assertThat(nextEnvelope(bob, "room.lock-" + resource, "doc.saved").getLong("offset")).isEqualTo(published.json().getLong("offset"));
    }
  }

  /** The data of the next {@code event} on {@code address} (presence and other events skipped). */
  private static JsonObject nextEvent(BridgeClient client, String address, String event) {
    return nextEnvelope(client, address, event).getJsonObject("data");
  }

  private static JsonObject nextEnvelope(BridgeClient client, String address, String event) {
    while (true) {
      JsonObject envelope = client.nextEnvelope(address);
      if (envelope.getString("event").equals(event)) {
        return envelope;
      }
    }
  }
}
