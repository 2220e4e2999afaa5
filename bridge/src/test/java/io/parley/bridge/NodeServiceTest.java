package io.parley.bridge;

import io.parley.testing.BridgeClient;
import io.parley.testing.Scripts;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A service written in Node with the published npm client {@code vertx3-tcp-eventbus-client}
 * ({@code 1.0.0-SNAPSHOT}, unchanged) joins the bus over the TCP endpoint: it authenticates with
 * an API key, decides who joins a room on {@code rooms.authorize}, hears {@code rooms.joined},
 * and publishes into the room, where a browser member receives it. The service is
 * {@code bridge/src/test/node/service.js}; needs {@code node} on the PATH and installs that
 * directory's locked packages with {@code npm ci} when absent.
 */
class NodeServiceTest {

  private static final String DIR = "bridge/src/test/node";
  private static final long SCRIPT_SECONDS = 60;

  @Test
  void a_node_service_on_the_published_tcp_client_decides_joins_hears_them_and_publishes_to_the_members() {
    Path dir = Scripts.repositoryRoot(DIR).resolve(DIR);
    Scripts.ensureInstalled(dir, "node_modules/vertx3-tcp-eventbus-client/lib/tcp-vertx-eventbus.js");
    try (TestNode node = TestNode.start(TestNode.TCP.copy().put("rooms", new JsonObject().put("policy", "bus")));
         Scripts.Running service = Scripts.start(dir, List.of(Scripts.node(), "service.js",
           "127.0.0.1", String.valueOf(node.tcpPort()), HttpOptions.DEV_API_KEY, "org-acme", "acme.ann"));
         BridgeClient ann = node.signIn("acme.ann"); BridgeClient bob = node.signIn("bob")) {
      service.awaitLine("ready"::equals, SCRIPT_SECONDS);

      bob.register("room.org-acme");
      assertThat(bob.nextRefusal("room.org-acme").getInteger("failureCode")).as("the service says no to bob").isEqualTo(403);
      ann.join("org-acme");
      List<JsonObject> seen = ann.envelopesUntil("room.org-acme", "service.greeting");
      JsonObject greeting = seen.get(seen.size() - 1);
      assertThat(greeting.getJsonObject("data").getString("hello")).isEqualTo("acme.ann");
      assertThat(greeting.containsKey("from")).as("published by a service: a server event").isFalse();

      Scripts.Finished finished = service.awaitExit(SCRIPT_SECONDS);
      JsonObject result = new JsonObject(finished.lastLine());
      assertThat(result.getBoolean("ok")).as("%s", finished.describe()).isTrue();
      assertThat(finished.exitCode()).as("%s", finished.describe()).isZero();
      assertThat(result.getString("service")).as("the key's id, never the key").isEqualTo(ApiKeys.hashId(HttpOptions.DEV_API_KEY));
      assertThat(result.getJsonArray("asked").getList()).containsExactly("bob", "acme.ann");
      assertThat(result.getJsonArray("joined").getList()).containsExactly("acme.ann");
      assertThat(result.getInteger("publishedOffset")).isEqualTo(greeting.getInteger("offset"));
    }
  }
}
