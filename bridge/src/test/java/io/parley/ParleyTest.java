package io.parley;

import io.parley.launcher.GreetingVerticle;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.parley.testing.DevTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Parley embedded in an application's own Vert.x, through {@link Parley#deploy}. */
class ParleyTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void closeVertx() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** On a free loopback port, without the warm-up (FanOutWarmUpTest has it). */
  private static JsonObject onFreePort() {
    return new JsonObject().put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
      .mergeIn(TestNode.noWarmUp());
  }

  @Test
  void an_application_publishes_through_the_node_it_embeds_and_closing_it_leaves_the_application_running() throws Exception {
    String appVerticle = vertx.deployVerticle(new io.vertx.core.VerticleBase() { }).await(10, TimeUnit.SECONDS);
    JsonObject listingOne = onFreePort().put("deployment", new JsonObject()
      .put("verticles", new JsonArray().add(GreetingVerticle.class.getName())));
    Parley parley = Parley.deploy(vertx, listingOne).await(30, TimeUnit.SECONDS);
    assertThat(parley.httpPort()).isPositive();
    try (BridgeClient ann = BridgeClient.connect(vertx, parley.httpPort(), BridgeClient.Transport.RAW)) {
      ann.request("auth.authenticate", new JsonObject().put("token", DevTokens.issue(parley.httpPort(), "ann"))
        .put("sessionId", UUID.randomUUID().toString()));
      ann.join("user-ann");
      parley.realtime().trigger("user-ann", "invoice.paid", new JsonObject().put("invoice", 7)).await(10, TimeUnit.SECONDS);
      List<JsonObject> seen = ann.envelopesUntil("room.user-ann", "invoice.paid");
      JsonObject envelope = seen.get(seen.size() - 1);
      assertThat(envelope.getJsonObject("data").getInteger("invoice")).isEqualTo(7);
    }

    parley.close().await(30, TimeUnit.SECONDS);

    assertThat(vertx.deploymentIDs()).as("every verticle Parley deployed, the listed one too, is gone; the application's own stays")
      .containsExactly(appVerticle);
  }

  @Test
  void the_environment_applies_only_when_the_application_passes_it() throws Exception {
    Map<String, String> env = Map.of("PARLEY_AUTH_TIMEOUT_MS", "1234");
    Parley withEnv = Parley.deploy(vertx, onFreePort(), env).await(30, TimeUnit.SECONDS);
    Parley withoutEnv = Parley.deploy(vertx, onFreePort()).await(30, TimeUnit.SECONDS);
    assertThat(withEnv.realtime().clientConfig().getLong("authTimeoutMs")).isEqualTo(1234);
    assertThat(withoutEnv.realtime().clientConfig().getLong("authTimeoutMs")).as("conf/default.json").isEqualTo(5000);
  }
}
