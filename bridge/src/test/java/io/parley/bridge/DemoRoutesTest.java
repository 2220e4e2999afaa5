package io.parley.bridge;

import io.parley.shared.Addresses;
import io.parley.shared.Await;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The web demo's {@code /demo/...} routes: server-side bus requests, on dev-token nodes only. */
class DemoRoutesTest {

  @Test
  void poker_start_and_finalize_are_the_server_side_bus_calls() {
    try (TestNode node = TestNode.start(); BridgeClient ann = node.signIn("ann")) {
      ann.register("room.planning-poker-d1");
      ann.request("rooms.state", new JsonObject().put("room", "planning-poker-d1"));

      TestNode.HttpResult started = node.post("/demo/poker/d1/start", new JsonObject().put("taskId", "t1"), null);
      assertThat(started.status()).isEqualTo(200);
      assertThat(started.json()).isEqualTo(new JsonObject().put("id", "d1").put("taskId", "t1"));
      List<JsonObject> seen = ann.envelopesUntil("room.planning-poker-d1", "task-started");
      JsonObject announced = seen.get(seen.size() - 1);
      assertThat(announced.getJsonObject("data")).isEqualTo(new JsonObject().put("taskId", "t1"));
      assertThat(announced.containsKey("from")).as("a server event").isFalse();

      ann.request("votes.cast", new JsonObject().put("room", "planning-poker-d1").put("value", "5").put("ts", 1));
      TestNode.HttpResult finalized = node.post("/demo/poker/d1/finalize",
        new JsonObject().put("taskId", "t1").put("nextTaskId", "t2"), null);
      assertThat(finalized.status()).isEqualTo(200);
      assertThat(finalized.json().getJsonObject("votes")).isEqualTo(new JsonObject().put("ann", "5"));
      assertThat(finalized.json().getString("nextTaskId")).isEqualTo("t2");

      assertThat(node.post("/demo/poker/d1/finalize", new JsonObject().put("taskId", "t1"), null).status())
        .as("t1 is finalized already").isEqualTo(409);
      assertThat(node.post("/demo/poker/d1/start", new JsonObject(), null).status()).as("no taskId").isEqualTo(400);
      assertThat(node.post("/demo/poker/bad%20id/start", new JsonObject().put("taskId", "t"), null).status()).isEqualTo(400);
    }
  }

  @Test
  void the_demo_says_what_a_lock_shows_of_its_resources_from_its_configuration() {
    JsonObject beta = new JsonObject().put("versionId", 5).put("versionName", "Beta").put("templateId", 9).put("templateName", "Launch");
    JsonObject config = new JsonObject().put("demo", new JsonObject().put("resources", new JsonObject().put("project-version:5", beta)));
    try (TestNode node = TestNode.start(config); BridgeClient ann = node.signIn("ann")) {
      assertThat(ann.request("locks.acquire", new JsonObject().put("resource", "project-version:5")).getJsonObject("info")).isEqualTo(beta);
      assertThat(ann.request("locks.status", new JsonObject().put("resource", "project-version:42")).getJsonObject("info")
        .getString("templateName")).as("the default configuration's demo versions").isEqualTo("Onboarding checklist");
      assertThat(ann.requestCode("locks.acquire", new JsonObject().put("resource", "project-version:6")))
        .as("a project version the demo does not have").isEqualTo(404);
      assertThat(ann.request("locks.acquire", new JsonObject().put("resource", "doc:1")).getJsonObject("info"))
        .as("a kind the demo knows nothing of").isEqualTo(new JsonObject());
    }
  }

  @Test
  void a_node_without_dev_tokens_says_nothing_of_any_resource() {
    JsonObject production = new JsonObject()
      .put("auth", new JsonObject().put("devTokens", false).put("jwt", new JsonObject().put("secret", "a-real-secret-of-at-least-32-characters!")))
      .put("api", new JsonObject().put("keys", new JsonArray().add("real-key")))
      .put("pusher", new JsonObject().put("apps", new JsonArray()));
    try (TestNode node = TestNode.start(production)) {
      Throwable unanswered = Await.failure(node.vertx().eventBus().request(Addresses.LOCKS_RESOURCE_INFO,
        new JsonObject().put("resource", "project-version:42")));
      assertThat(unanswered).as("nobody answers locks.resourceInfo: the host application's to answer")
        .isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
    }
  }

  @Test
  void a_demo_notification_reaches_the_other_subscribers_but_not_the_tab_that_sent_it() {
    try (TestNode node = TestNode.start()) {
      String senderSession = UUID.randomUUID().toString();
      String otherSession = UUID.randomUUID().toString();
      try (BridgeClient sender = subscribedTab(node, "ann", senderSession, "releases");
           BridgeClient other = subscribedTab(node, "bob", otherSession, "releases")) {
        JsonObject fromSender = new JsonObject().put("topic", "releases").put("data", new JsonObject().put("text", "v1 shipped"))
          .put("originSessionId", senderSession);
        TestNode.HttpResult sent = node.post("/demo/notifications", fromSender, null);
        TestNode.HttpResult marker = node.post("/demo/notifications", new JsonObject().put("topic", "releases").put("data", "marker"), null);

        assertThat(sent.status()).isEqualTo(202);
        assertThat(nextNotification(other, otherSession).getLong("id")).isEqualTo(sent.json().getLong("id"));
        assertThat(nextNotification(sender, senderSession).getLong("id")).as("no echo to the sender").isEqualTo(marker.json().getLong("id"));
      }
    }
  }

  private static BridgeClient subscribedTab(TestNode node, String userId, String sessionId, String topic) {
    BridgeClient tab = node.signIn(userId, new JsonObject(), sessionId);
    tab.join("client-" + sessionId);
    tab.request("notifications.subscribe", new JsonObject().put("topics", new JsonArray().add(topic)));
    return tab;
  }

  private static JsonObject nextNotification(BridgeClient tab, String sessionId) {
    while (true) {
      JsonObject envelope = tab.nextEnvelope("room.client-" + sessionId);
      if ("notification".equals(envelope.getString("event"))) {
        return envelope.getJsonObject("data");
      }
    }
  }

  @Test
  void there_are_no_demo_routes_without_dev_tokens() {
    JsonObject production = new JsonObject()
      .put("auth", new JsonObject().put("devTokens", false).put("jwt", new JsonObject().put("secret", "a-real-secret-of-at-least-32-characters!")))
      .put("api", new JsonObject().put("keys", new JsonArray().add("real-key")))
      .put("pusher", new JsonObject().put("apps", new JsonArray()));
    try (TestNode node = TestNode.start(production)) {
      assertThat(node.post("/demo/poker/d1/start", new JsonObject().put("taskId", "t1"), null).status()).isEqualTo(404);
      assertThat(node.post("/demo/notifications", new JsonObject().put("topic", "x"), null).status()).isEqualTo(404);
    }
  }
}
