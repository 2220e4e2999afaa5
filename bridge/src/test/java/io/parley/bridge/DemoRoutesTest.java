package io.parley.bridge;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
  void a_demo_notification_is_a_notifications_publish_request_with_its_origin_session() {
    try (TestNode node = TestNode.start()) {
      List<Object> sent = new CopyOnWriteArrayList<>();
      node.vertx().eventBus().addOutboundInterceptor(delivery -> {
        if (DemoRoutes.NOTIFICATIONS_PUBLISH.equals(delivery.message().address())) {
          sent.add(delivery.message().body());
        }
        delivery.next();
      });
      JsonObject body = new JsonObject().put("topic", "releases").put("data", new JsonObject().put("text", "v1 shipped"))
        .put("originSessionId", "0b6a1f7e-5c1e-4c55-9a43-4d1f1f7b2a10");
      int status = node.post("/demo/notifications", body, null).status();
      assertThat(sent).containsExactly(body);
      // 202 once the notifications verticle runs on the node; 503 (nothing answered) before that
      assertThat(status).isIn(202, 503);
    }
  }

  @Test
  void there_are_no_demo_routes_without_dev_tokens() {
    JsonObject production = new JsonObject()
      .put("auth", new JsonObject().put("devTokens", false).put("jwt", new JsonObject().put("secret", "a-real-secret-of-at-least-32-characters!")))
      .put("api", new JsonObject().put("keys", new JsonArray().add("real-key")));
    try (TestNode node = TestNode.start(production)) {
      assertThat(node.post("/demo/poker/d1/start", new JsonObject().put("taskId", "t1"), null).status()).isEqualTo(404);
      assertThat(node.post("/demo/notifications", new JsonObject().put("topic", "x"), null).status()).isEqualTo(404);
    }
  }
}
