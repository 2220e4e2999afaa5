package io.parley.bridge;

import io.parley.testing.BridgeClient;
import io.parley.testing.Scripts;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Services on the published npm clients, unchanged and pinned, decide who joins a room with
 * {@code rooms.policy: "bus"} (docs/protocol.md, Services):
 * <ul>
 *   <li>the browser client {@code @vertx/eventbus-bridge-client.js} 1.0.0 over {@code sockjs-client}
 *   is the service ({@code web-demo/test/published-service.mjs}) and the browser user
 *   ({@code web-demo/test/published-member.mjs}), both on the SockJS bridge;</li>
 *   <li>a Node service on {@code vertx3-tcp-eventbus-client} 1.0.0-SNAPSHOT
 *   ({@code bridge/src/test/node/authorizer.js}, on the TCP endpoint) is the only one answering
 *   {@code rooms.authorize}, and is killed and started again.</li>
 * </ul>
 * Needs {@code node} on the PATH; installs the locked packages with {@code npm ci} when absent.
 */
class PublishedClientAsServiceTest {

  private static final long SCRIPT_SECONDS = 30;
  private static final long AUTHORIZE_TIMEOUT_MS = 500;
  /** How late past rooms.authorizeTimeoutMs a refusal may come on a busy machine. */
  private static final long REFUSAL_SLACK_MS = 1500;
  /** How late past rooms.authorizeTimeoutMs a refusal may come on a busy machine. */

  private static final Path ROOT = Scripts.repositoryRoot("web-demo/test/published-service.mjs");
  private static final Path WEB_DEMO = ROOT.resolve("web-demo");
  private static final Path NODE_SERVICES = ROOT.resolve("bridge/src/test/node");

  private static TestNode node;

  @BeforeAll
  static void start() {
    Scripts.ensureInstalled(WEB_DEMO,
      "node_modules/@vertx/eventbus-bridge-client.js/vertx-eventbus.js", "node_modules/sockjs-client/package.json");
    Scripts.ensureInstalled(NODE_SERVICES, "node_modules/vertx3-tcp-eventbus-client/lib/tcp-vertx-eventbus.js");
    node = TestNode.start(TestNode.TCP.copy()
      .put("rooms", new JsonObject().put("policy", "bus").put("authorizeTimeoutMs", AUTHORIZE_TIMEOUT_MS)));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void a_service_on_the_published_sockjs_client_keeps_a_published_browser_client_out_of_one_room_lets_it_into_another_and_greets_it_there() {
    try (Scripts.Running service = Scripts.start(WEB_DEMO, List.of(Scripts.node(), "test/published-service.mjs",
      base(), HttpOptions.DEV_API_KEY, "org-initech", "ann"))) {
      service.awaitLine("ready"::equals, SCRIPT_SECONDS);

      Scripts.Finished member = Scripts.run(WEB_DEMO, SCRIPT_SECONDS, List.of(Scripts.node(), "test/published-member.mjs",
        base(), node.token("ann"), "org-initech", "org-globex", "service.greeting"));
      JsonObject joined = resultOf(member);
      assertThat(joined.getBoolean("ok")).as("%s", member.describe()).isTrue();
      assertThat(joined.getString("transport")).as("sockjs-client's first choice").isEqualTo("websocket");
      assertThat(joined.getJsonArray("members").getList()).as("allowed in org-initech").containsExactly("ann");
      JsonObject greeting = joined.getJsonObject("envelope");
      assertThat(greeting.getJsonObject("data").getString("hello")).isEqualTo("ann");
      assertThat(greeting.containsKey("from")).as("published by a service: a server event").isFalse();
      assertThat(joined.getJsonObject("refusal").getInteger("failureCode")).as("the service says no to org-globex").isEqualTo(403);

      Scripts.Finished finished = service.awaitExit(SCRIPT_SECONDS);
      JsonObject saw = resultOf(finished);
      assertThat(saw.getBoolean("ok")).as("%s", finished.describe()).isTrue();
      assertThat(saw.getString("service")).as("the key's id, never the key").isEqualTo(ApiKeys.hashId(HttpOptions.DEV_API_KEY));
      assertThat(saw.getJsonArray("asked").getList()).containsExactly(
        new JsonObject().put("room", "org-globex").put("userId", "ann").getMap(),
        new JsonObject().put("room", "org-initech").put("userId", "ann").getMap());
      assertThat(saw.getJsonArray("joined").getList()).as("the refused join is not announced")
        .containsExactly(new JsonObject().put("room", "org-initech").put("userId", "ann").getMap());
      assertThat(saw.getInteger("publishedOffset")).isEqualTo(greeting.getInteger("offset"));
      assertThat(saw.getJsonArray("warnings").getList()).as("%s", finished.describe()).isEmpty();
    }
  }

  @Test
  void with_the_node_service_killed_joins_are_refused_with_503_in_time_and_allowed_again_once_it_is_started_again() {
    try (BridgeClient ann = node.signIn("acme.ann"); BridgeClient bob = node.signIn("bob")) {
      try (Scripts.Running authorizer = startAuthorizer()) {
        assertThat(BridgeClient.connectionsOf(ann.join("org-acme"), "acme.ann")).as("the service lets acme.ann in").isEqualTo(1);
        bob.register("room.org-acme");
        assertThat(bob.nextRefusal("room.org-acme").getInteger("failureCode")).as("and keeps bob out").isEqualTo(403);
        ann.unregister("room.org-acme");
      }

      // the first question may still reach the dying connection (failed as it closes); the next
      // finds nobody consuming rooms.authorize: both are refused, in time, saying to try again
      for (int attempt = 1; attempt <= 2; attempt++) {
        long asked = System.nanoTime();
        ann.register("room.org-acme");
        JsonObject refusal = ann.nextRefusal("room.org-acme");
        long tookMs = (System.nanoTime() - asked) / 1_000_000;
        assertThat(refusal.getInteger("failureCode")).as("attempt %d: %s", attempt, refusal).isEqualTo(503);
        assertThat(refusal.getString("message")).as("attempt %d", attempt).endsWith("try again");
        assertThat(tookMs).as("attempt %d refused within rooms.authorizeTimeoutMs", attempt)
          .isLessThanOrEqualTo(AUTHORIZE_TIMEOUT_MS + REFUSAL_SLACK_MS);
      }

      try (Scripts.Running again = startAuthorizer()) {
        assertThat(BridgeClient.connectionsOf(ann.join("org-acme"), "acme.ann")).as("allowed again").isEqualTo(1);
      }
    }
  }

  /** The Node service on the TCP endpoint, once it says its handler is registered; closing it kills the process. */
  private static Scripts.Running startAuthorizer() {
    Scripts.Running authorizer = Scripts.start(NODE_SERVICES, List.of(Scripts.node(), "authorizer.js",
      "127.0.0.1", String.valueOf(node.tcpPort()), HttpOptions.DEV_API_KEY));
    try {
      authorizer.awaitLine("ready"::equals, SCRIPT_SECONDS);
      return authorizer;
    } catch (AssertionError e) {
      authorizer.close();
      throw e;
    }
  }

  private static String base() {
    return "http://127.0.0.1:" + node.port();
  }

  private static JsonObject resultOf(Scripts.Finished script) {
    try {
      return new JsonObject(script.lastLine());
    } catch (RuntimeException e) {
      throw new AssertionError("the script did not print a JSON line\n" + script.describe(), e);
    }
  }
}
