package io.parley.bridge;

import io.parley.testing.BridgeClient;
import io.parley.testing.Scripts;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Services written in other languages join the bus over the TCP endpoint, each doing the same:
 * authenticate with an API key, decide who joins {@code org-acme} on {@code rooms.authorize}
 * (users whose id starts with {@code acme}), hear {@code rooms.joined}, and greet the user in the
 * room, where a browser member receives it; then print {@code ready}-to-result JSON and exit.
 * <ul>
 *   <li><b>Node</b>, {@code bridge/src/test/node/service.js}, on the published npm client
 *   {@code vertx3-tcp-eventbus-client} 1.0.0-SNAPSHOT, unchanged (its locked packages are
 *   installed with {@code npm ci} when absent);</li>
 *   <li><b>Python</b>, {@code examples/python-service/parley_service.py}, standard library only.</li>
 * </ul>
 * Needs {@code node} and {@code python3} on the PATH.
 */
class ServicesInOtherLanguagesTest {

  private static final long SCRIPT_SECONDS = 60;

  /** A service script: where it lives (from the repository root), how to run it, what it needs installed first. */
  record Service(String language, String dir, String executable, String script, String installedMarker) {
    @Override
    public String toString() {
      return language;
    }
  }

  static Stream<Service> services() {
    return Stream.of(
      new Service("node", "bridge/src/test/node", Scripts.node(), "service.js",
        "node_modules/vertx3-tcp-eventbus-client/lib/tcp-vertx-eventbus.js"),
      new Service("python", "examples/python-service", System.getProperty("parley.python", "python3"), "parley_service.py", null));
  }

  @ParameterizedTest
  @MethodSource("services")
  void a_service_decides_joins_hears_them_and_greets_the_members(Service language) {
    Path dir = Scripts.repositoryRoot(language.dir()).resolve(language.dir());
    if (language.installedMarker() != null) {
      Scripts.ensureInstalled(dir, language.installedMarker());
    }
    try (TestNode node = TestNode.start(TestNode.TCP.copy().put("rooms", new JsonObject().put("policy", "bus")));
         Scripts.Running service = Scripts.start(dir, List.of(language.executable(), language.script(),
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
      assertThat(finished.exitCode()).as("%s", finished.describe()).isZero();
      JsonObject result = new JsonObject(finished.lastLine());
      assertThat(result.getBoolean("ok")).as("%s", finished.describe()).isTrue();
      assertThat(result.getString("service")).as("the key's id, never the key").isEqualTo(ApiKeys.hashId(HttpOptions.DEV_API_KEY));
      assertThat(result.getJsonArray("asked").getList()).containsExactly("bob", "acme.ann");
      assertThat(result.getJsonArray("joined").getList()).containsExactly("acme.ann");
      assertThat(result.getInteger("publishedOffset")).isEqualTo(greeting.getInteger("offset"));
    }
  }
}
