package io.parley.bridge;

import io.parley.testing.Scripts;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.stream.Stream;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published npm client {@code @vertx/eventbus-bridge-client.js} (over {@code sockjs-client}),
 * unchanged and run under Node, works against Parley (docs/protocol.md).
 *
 * <p>The client side is {@code web-demo/test/published-client.mjs}: two users on their own
 * EventBus, A publishes three {@code task.update}s on {@code board-42}, B receives them; B's
 * register on another user's room and send to a closed address are refused. It prints one
 * line of JSON that the tests below read. Needs {@code node} on the PATH; installs
 * {@code web-demo/node_modules} with {@code npm ci} when absent.
 */
class PublishedClientTest {

  private static final long NODE_TIMEOUT_SECONDS = 60;
  private static final String SCRIPT = "web-demo/test/published-client.mjs";

  /** sockjs-client's first choice, and the fallback a browser without websockets uses. */
  private static final List<String> TRANSPORTS = List.of("websocket", "xhr-streaming");

  private static TestNode node;
  /** What the script reported over one transport, and its transcript for failure messages. */
  record Run(String transport, JsonObject result, String transcript) {
    @Override
    public String toString() {
      return transport;
    }
  }

  private static final Map<String, Run> runs = new LinkedHashMap<>();

  @BeforeAll
  static void run_the_published_client_against_a_real_node() {
    Path root = Scripts.repositoryRoot(SCRIPT);
    Scripts.ensureInstalled(root.resolve("web-demo"),
      "node_modules/@vertx/eventbus-bridge-client.js/vertx-eventbus.js", "node_modules/sockjs-client/package.json");
    node = TestNode.start();
    for (String transport : TRANSPORTS) {
      String tokenA = node.token("alice", boards("42"));
      String tokenB = node.token("bob", boards("42"));
      Scripts.Finished run = Scripts.run(root, NODE_TIMEOUT_SECONDS, List.of(Scripts.node(), SCRIPT,
        "--transports=" + transport, "http://127.0.0.1:" + node.port(), tokenA, tokenB));
      String transcript = run.describe();
      JsonObject result;
      try {
        result = new JsonObject(run.lastLine());
      } catch (RuntimeException e) {
        throw new AssertionError("the script did not print a JSON line\n" + transcript, e);
      }
      assertThat(run.exitCode()).as("exit code\n%s", transcript).isEqualTo(result.getBoolean("ok", false) ? 0 : 1);
      runs.put(transport, new Run(transport, result, transcript));
    }
  }

  static Stream<Run> runs() {
    return runs.values().stream();
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
  }

  @ParameterizedTest
  @MethodSource("runs")
  void the_published_client_runs_the_whole_scenario_without_a_failure(Run run) {
    JsonObject result = run.result();
    String transcript = run.transcript();
    assertThat(result.getBoolean("ok")).as("%s", transcript).isTrue();
    assertThat(result.getString("userA")).isEqualTo("alice");
    assertThat(result.getString("userB")).isEqualTo("bob");
    assertThat(result.getJsonArray("transports", new JsonArray()).getList())
      .as("the transport sockjs-client was limited to").containsExactly(run.transport(), run.transport());
  }

  @ParameterizedTest
  @MethodSource("runs")
  void a_member_receives_every_publish_of_another_user_in_order_with_consecutive_offsets(Run run) {
    JsonObject result = run.result();
    String transcript = run.transcript();
    List<Integer> offsets = integers(result.getJsonArray("offsets", new JsonArray()));
    assertThat(offsets).as("%s", transcript).hasSize(3);
    assertThat(offsets.get(1)).as("%s", transcript).isEqualTo(offsets.get(0) + 1);
    assertThat(offsets.get(2)).as("%s", transcript).isEqualTo(offsets.get(1) + 1);
    List<Integer> replied = new ArrayList<>();
    result.getJsonArray("publishReplies", new JsonArray()).forEach(reply -> replied.add(((JsonObject) reply).getInteger("offset")));
    assertThat(offsets).as("offsets delivered = offsets in the rooms.publish replies").isEqualTo(replied);
    assertThat(result.getJsonArray("epochs", new JsonArray()).getList()).as("one epoch across the three envelopes").hasSize(1);
  }

  @ParameterizedTest
  @MethodSource("runs")
  void every_delivered_envelope_names_its_publisher_in_from(Run run) {
    JsonObject result = run.result();
    String transcript = run.transcript();
    assertThat(result.getJsonArray("from", new JsonArray()).getList()).as("%s", transcript).containsExactly("alice", "alice", "alice");
  }

  @ParameterizedTest
  @MethodSource("runs")
  void a_refused_register_reaches_that_address_handler_as_an_error_with_403(Run run) {
    JsonObject result = run.result();
    String transcript = run.transcript();
    assertThat(result.getInteger("refusedRegisterCode")).as("%s", transcript).isEqualTo(403);
  }

  @ParameterizedTest
  @MethodSource("runs")
  void a_send_to_an_address_not_open_to_clients_gets_a_failed_reply_with_403(Run run) {
    JsonObject result = run.result();
    String transcript = run.transcript();
    assertThat(result.getInteger("refusedSendCode")).as("%s", transcript).isEqualTo(403);
  }

  @ParameterizedTest
  @MethodSource("runs")
  void a_user_joining_a_room_is_announced_to_its_members_with_presence_join(Run run) {
    JsonObject result = run.result();
    String transcript = run.transcript();
    JsonObject join = result.getJsonObject("presenceJoin");
    assertThat(join).as("%s", transcript).isNotNull();
    assertThat(join.getString("userId")).isEqualTo("alice");
    assertThat(join.getString("name")).isEqualTo("User alice");
    assertThat(join.getValue("offset")).as("presence envelopes take no offset").isNull();
    assertThat(result.getJsonArray("membersBeforePublish", new JsonArray()).getList()).containsExactlyInAnyOrder("alice", "bob");
  }

  @ParameterizedTest
  @MethodSource("runs")
  void nothing_unexpected_reaches_the_client_onerror_handler(Run run) {
    JsonObject result = run.result();
    String transcript = run.transcript();
    assertThat(result.getJsonArray("warnings", new JsonArray()).getList()).as("%s", transcript).isEmpty();
  }

  private static List<Integer> integers(JsonArray array) {
    List<Integer> values = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      values.add(array.getInteger(i));
    }
    return values;
  }
}
