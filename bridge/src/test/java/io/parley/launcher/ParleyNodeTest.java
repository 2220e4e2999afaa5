package io.parley.launcher;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node as an operator meets it: health, metrics, configuration, and what it refuses. */
class ParleyNodeTest {

  @Test
  void health_answers_up_once_the_node_is_ready() {
    try (TestNode node = TestNode.start()) {
      TestNode.HttpResult health = node.get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().getString("outcome")).isEqualTo("UP");
    }
  }

  @Test
  void health_checks_the_redis_and_postgres_the_node_uses() {
    String prefix = io.parley.shared.TestRedis.freshPrefix();
    JsonObject redis = new JsonObject().put("redis", new JsonObject().put("uri", TestNode.REDIS_URI).put("prefix", prefix));
    try (TestNode node = TestNode.startWithPostgres(redis)) {
      TestNode.HttpResult health = node.get("/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.json().getJsonArray("checks").stream().map(JsonObject.class::cast)
        .map(c -> c.getString("id") + ":" + c.getString("status")).toList())
        .containsExactlyInAnyOrder("node:UP", "redis:UP", "postgres:UP");
    } finally {
      io.parley.shared.TestRedis.deleteKeys(prefix);
    }
  }

  @Test
  void undeploying_a_node_undeploys_every_verticle_it_started_before_it_closes_its_stores() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      JsonObject config = new JsonObject().put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
        .mergeIn(TestNode.noWarmUp());
      String node = vertx.deployVerticle(new ParleyNode(java.time.Clock.systemUTC(), java.util.Map.of()),
        new io.vertx.core.DeploymentOptions().setConfig(config)).await(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(vertx.deploymentIDs()).as("the node and the verticles it deployed").hasSizeGreaterThan(1);

      vertx.undeploy(node).await(30, java.util.concurrent.TimeUnit.SECONDS);

      assertThat(vertx.deploymentIDs()).as("its verticles are its children: none outlives it").isEmpty();
    } finally {
      vertx.close().await(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @Test
  void metrics_count_sockets_frames_refusals_and_rooms() {
    try (TestNode node = TestNode.start(); BridgeClient ann = node.signIn("ann")) {
      ann.register("room.user-ann");
      ann.register("room.user-bob");
      ann.next("room.user-bob");
      ann.request("rooms.state", new JsonObject().put("room", "user-ann"));
      String metrics = node.get("/metrics").body();
      assertThat(metrics).contains("parley_bridge_sockets_open 1.0");
      assertThat(metrics).contains("parley_bridge_rooms 1.0");
      assertThat(metrics).containsPattern("parley_bridge_frames_in_total [4-9]\\.0");
      assertThat(metrics).containsPattern("parley_bridge_frames_out_total [1-9]");
      assertThat(metrics).contains("parley_bridge_refusals_total{reason=\"forbidden\"} 1.0");
    }
  }

  @Test
  void configuration_comes_from_defaults_then_conf_then_environment() {
    JsonObject conf = new JsonObject().put("rooms", new JsonObject().put("history", new JsonObject().put("maxSize", 3)));
    try (TestNode node = TestNode.start(conf, Map.of("PARLEY_AUTH_TIMEOUT_MS", "1234"))) {
      JsonObject client = node.get("/client-config").json();
      assertThat(client.getLong("authTimeoutMs")).as("from the environment").isEqualTo(1234);
      assertThat(client.getString("url")).isEqualTo("/eventbus");
      try (BridgeClient ann = node.signIn("ann")) {
        for (int i = 0; i < 5; i++) {
          ann.request("rooms.publish", new JsonObject().put("room", "user-ann").put("event", "user.update").put("data", i));
        }
        JsonObject page = ann.request("rooms.history", new JsonObject().put("room", "user-ann").put("sinceOffset", 2));
        assertThat(page.getJsonArray("events")).as("maxSize 3 from the -conf layer keeps offsets 3..5").hasSize(3);
      }
    }
  }

  @Test
  void dev_tokens_can_be_switched_off() {
    JsonObject production = new JsonObject()
      .put("auth", new JsonObject().put("devTokens", false).put("jwt", new JsonObject().put("secret", "a-real-secret-of-at-least-32-characters!")))
      .put("api", new JsonObject().put("keys", new io.vertx.core.json.JsonArray().add("real-key")))
      .put("pusher", new JsonObject().put("apps", new io.vertx.core.json.JsonArray()));
    try (TestNode node = TestNode.start(production)) {
      assertThat(node.post("/auth/dev-token", new JsonObject().put("userId", "ann"), null).status()).isEqualTo(404);
      assertThat(node.post("/api/rooms/user-ann/events", new JsonObject().put("event", "x"), "dev-api-key").status()).isEqualTo(401);
      assertThat(node.post("/api/rooms/user-ann/events", new JsonObject().put("event", "x"), "real-key").status()).isEqualTo(202);
    }
  }

  @Test
  void a_node_without_dev_tokens_refuses_to_start_with_the_dev_secret_dev_api_key_or_dev_pusher_secret() {
    JsonObject devSecret = new JsonObject().put("auth", new JsonObject().put("devTokens", false))
      .put("api", new JsonObject().put("keys", new io.vertx.core.json.JsonArray().add("real-key")));
    assertThat(startFailure(devSecret)).contains("development secret").contains("PARLEY_AUTH_JWT_SECRET");

    JsonObject devKey = new JsonObject().put("auth", new JsonObject().put("devTokens", false)
      .put("jwt", new JsonObject().put("secret", "a-real-secret-of-at-least-32-characters!")));
    assertThat(startFailure(devKey)).contains("api.keys").contains("PARLEY_API_KEYS");

    JsonObject devPusherSecret = new JsonObject().put("auth", new JsonObject().put("devTokens", false)
      .put("jwt", new JsonObject().put("secret", "a-real-secret-of-at-least-32-characters!")))
      .put("api", new JsonObject().put("keys", new io.vertx.core.json.JsonArray().add("real-key")));
    assertThat(startFailure(devPusherSecret)).contains("Pusher app").contains("pusher.apps");
  }

  @Test
  void the_api_answers_bad_input_with_the_design_codes() {
    try (TestNode node = TestNode.start()) {
      assertThat(node.post("/api/rooms/user-ann/events", new JsonObject().put("event", "x"), null).status()).isEqualTo(401);
      assertThat(node.post("/api/rooms/bad%20room/events", new JsonObject().put("event", "x"), "dev-api-key").status()).isEqualTo(400);
      assertThat(node.post("/api/rooms/user-ann/events", new JsonObject(), "dev-api-key").status()).isEqualTo(400);
      assertThat(node.post("/auth/dev-token", new JsonObject().put("userId", "-bad"), null).status()).isEqualTo(400);
    }
  }

  private static String startFailure(JsonObject config) {
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(new ParleyNode(Clock.systemUTC(), Map.of()), new DeploymentOptions().setConfig(config
        .put("http", new JsonObject().put("port", 0)))).await(30, TimeUnit.SECONDS);
      throw new AssertionError("the node started");
    } catch (Exception e) {
      return e.getMessage();
    } finally {
      vertx.close();
    }
  }

  @Test
  void the_dev_token_signing_secret_must_be_long_enough() {
    JsonObject weak = new JsonObject().put("auth", new JsonObject().put("jwt", new JsonObject().put("secret", "short")));
    assertThatThrownBy(() -> TestNode.start(weak)).hasMessageContaining("at least 32 characters");
  }

  @Test
  void a_failure_log_interval_that_is_not_positive_is_refused_at_start() {
    JsonObject zero = new JsonObject().put("logging", new JsonObject().put("failureIntervalMs", 0));
    assertThatThrownBy(() -> TestNode.start(zero)).hasMessageContaining("logging.failureIntervalMs must be positive");
  }
}
