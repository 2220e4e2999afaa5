package io.parley.bridge;

import io.parley.shared.TestRedis;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node runs its fan-out once before it reports ready (bridge.warmUp): /health is 503 while it
 * does, the node's own sockets carry the warm-up's deliveries, and nothing of it is left after:
 * no socket, no room, nothing in a shared store.
 */
class FanOutWarmUpTest {

  /** A warm-up long enough to be seen: each message waits at least a millisecond after the one before. */
  private static JsonObject warmUp(int sockets, int messages) {
    return new JsonObject().put("bridge", new JsonObject().put("warmUp", new JsonObject().put("sockets", sockets).put("messages", messages)));
  }

  @Test
  void health_is_503_while_the_node_warms_up_then_200_and_the_warm_up_leaves_no_socket_or_room() {
    TestNode.HttpResult[] whileWarming = new TestNode.HttpResult[1];
    try (TestNode node = TestNode.start(warmUp(20, 2_000), starting -> whileWarming[0] = starting.get("/health"))) {
      assertThat(whileWarming[0].status()).as("a load balancer sends no tabs yet").isEqualTo(503);
      assertThat(check(whileWarming[0].json(), "warm-up").getString("status")).isEqualTo("DOWN");

      TestNode.HttpResult ready = node.get("/health");
      assertThat(ready.status()).isEqualTo(200);
      assertThat(check(ready.json(), "warm-up").getString("status")).isEqualTo("UP");

      String metrics = node.get("/metrics").body();
      assertThat(frameCount(metrics)).as("the warm-up's deliveries went through the node's fan-out")
        .isGreaterThanOrEqualTo(20 * 2_000);
      assertThat(metrics).contains("parley_bridge_sockets_open 0.0");
      assertThat(metrics).contains("parley_bridge_rooms 0.0");
    }
  }

  @Test
  void a_user_is_served_as_usual_after_the_warm_up() {
    try (TestNode node = TestNode.start(warmUp(10, 50)); BridgeClient ann = node.signIn("ann", TestNode.boards("7"))) {
      ann.register("room.board-7");
      ann.request("rooms.publish", new JsonObject().put("room", "board-7").put("event", "task.update").put("data", new JsonObject().put("id", 3)));

      List<JsonObject> envelopes = ann.envelopesUntil("room.board-7", "task.update");
      JsonObject envelope = envelopes.get(envelopes.size() - 1);
      assertThat(envelope.getLong("offset")).as("the room's first publish: the warm-up's never reached it").isEqualTo(1L);
    }
  }

  @Test
  void the_warm_up_of_a_clustered_node_writes_nothing_to_the_shared_stores() throws Exception {
    String cluster = "warm-up-" + UUID.randomUUID().toString().substring(0, 8);
    int port = TestNode.freePort();
    try (TestNode node = TestNode.startClustered(cluster, port, TestNode.members(port), warmUp(10, 200))) {
      assertThat(node.get("/health").status()).isEqualTo(200);
      Vertx vertx = Vertx.vertx();
      try {
        Redis redis = TestRedis.connect(vertx);
        Response keys = redis.send(Request.cmd(Command.KEYS).arg("test:" + cluster + ":*")).await(10, TimeUnit.SECONDS);
        List<String> names = StreamSupport.stream(keys.spliterator(), false).map(Response::toString).collect(Collectors.toList());
        assertThat(names).as("the node's own keys (its lease) are there").isNotEmpty();
        assertThat(names.stream().map(name -> name.substring(("test:" + cluster + ":").length())))
          .as("no room of the warm-up's in Redis").noneMatch(name -> name.contains("parley-warm-up"));
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  private static JsonObject check(JsonObject health, String id) {
    JsonArray checks = health.getJsonArray("checks");
    return checks.stream().map(JsonObject.class::cast).filter(check -> id.equals(check.getString("id"))).findFirst()
      .orElseThrow(() -> new AssertionError("no check " + id + " in " + health.encode()));
  }

  private static double frameCount(String metrics) {
    return metrics.lines().filter(line -> line.startsWith("parley_bridge_frames_out_total"))
      .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }
}
