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
 * The Python example service ({@code examples/python-service/parley_service.py}, standard library
 * only) joins the bus over the TCP endpoint: it authenticates with an API key, decides who joins
 * a room on {@code rooms.authorize}, hears {@code rooms.joined} and greets the user in the room,
 * where a browser member receives it. Needs {@code python3} on the PATH.
 */
class PythonServiceTest {

  private static final String SCRIPT = "examples/python-service/parley_service.py";
  private static final long SCRIPT_SECONDS = 60;

  @Test
  void the_python_example_decides_joins_hears_them_and_greets_the_members() {
    Path dir = Scripts.repositoryRoot(SCRIPT).resolve("examples/python-service");
    try (TestNode node = TestNode.start(TestNode.TCP.copy().put("rooms", new JsonObject().put("policy", "bus")));
         Scripts.Running service = Scripts.start(dir, List.of(System.getProperty("parley.python", "python3"), "parley_service.py",
           "127.0.0.1", String.valueOf(node.tcpPort()), HttpOptions.DEV_API_KEY, "org-acme", "acme.ann"));
         BridgeClient ann = node.signIn("acme.ann"); BridgeClient bob = node.signIn("bob")) {
      service.awaitLine("ready"::equals, SCRIPT_SECONDS);

      bob.register("room.org-acme");
      assertThat(bob.nextRefusal("room.org-acme").getInteger("failureCode")).as("the service says no to bob").isEqualTo(403);
      ann.join("org-acme");
      List<JsonObject> seen = ann.envelopesUntil("room.org-acme", "service.greeting");
      JsonObject greeting = seen.get(seen.size() - 1);
      assertThat(greeting.getJsonObject("data").getString("hello")).isEqualTo("acme.ann");
      assertThat(greeting.containsKey("from")).isFalse();

      Scripts.Finished finished = service.awaitExit(SCRIPT_SECONDS);
      assertThat(finished.exitCode()).as("%s", finished.describe()).isZero();
      JsonObject result = new JsonObject(finished.lastLine());
      assertThat(result.getString("service")).isEqualTo(ApiKeys.hashId(HttpOptions.DEV_API_KEY));
      assertThat(result.getJsonArray("asked").getList()).containsExactly("bob", "acme.ann");
      assertThat(result.getJsonArray("joined").getList()).containsExactly("acme.ann");
      assertThat(result.getInteger("publishedOffset")).isEqualTo(greeting.getInteger("offset"));
    }
  }
}
