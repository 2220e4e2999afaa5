package io.parley.pusher;

import io.parley.testing.RawWebSocketWire;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Pusher endpoint {@code /app/<key>} at the level of its messages, with a websocket written
 * by hand (what pusher-js does is in the other Pusher tests): the handshake, pings both ways,
 * Pusher's close codes, and refusals that leave the socket open.
 */
class PusherEndpointTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    JsonObject apps = new JsonObject().put("pusher", new JsonObject().put("apps", new JsonArray()
      .add(new JsonObject().put("id", "parley-dev").put("key", "parley-dev-key").put("secret", "parley-dev-pusher-secret")
        .put("clientEvents", true))
      .add(new JsonObject().put("id", "off").put("key", "off-key").put("secret", "off-secret").put("enabled", false))));
    apps.getJsonObject("pusher").put("activityTimeoutSeconds", 1).put("pongTimeoutSeconds", 1);
    node = TestNode.start(apps);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static RawWebSocketWire open(String path) throws IOException {
    return RawWebSocketWire.open(node.port(), path);
  }

  private static JsonObject next(RawWebSocketWire wire) throws IOException {
    return new JsonObject(wire.awaitFrame());
  }

  /** A message's data: a JSON-encoded string, as the Pusher protocol has it. */
  private static JsonObject dataOf(JsonObject message) {
    assertThat(message.getValue("data")).as("data is a string in %s", message).isInstanceOf(String.class);
    return new JsonObject(message.getString("data"));
  }

  private static void send(RawWebSocketWire wire, JsonObject message) throws IOException {
    wire.send(RawWebSocketWire.TEXT, message.encode().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_socket_is_told_its_id_and_activity_timeout_and_pings_are_answered() throws IOException {
    try (RawWebSocketWire wire = open("/app/parley-dev-key?protocol=7&client=js&version=8.6.0&flash=false")) {
      JsonObject established = next(wire);
      assertThat(established.getString("event")).isEqualTo("pusher:connection_established");
      assertThat(dataOf(established).getString("socket_id")).matches("^\\d+\\.\\d+$");
      assertThat(dataOf(established).getInteger("activity_timeout")).as("pusher.activityTimeoutSeconds").isEqualTo(1);

      send(wire, new JsonObject().put("event", "pusher:ping").put("data", new JsonObject()));
      assertThat(next(wire).getString("event")).isEqualTo("pusher:pong");
    }
  }

  @Test
  void a_silent_socket_is_pinged_and_closed_with_4201_when_it_does_not_answer() throws IOException {
    try (RawWebSocketWire wire = open("/app/parley-dev-key?protocol=7")) {
      assertThat(next(wire).getString("event")).isEqualTo("pusher:connection_established");
      assertThat(next(wire).getString("event")).as("after the activity timeout").isEqualTo("pusher:ping");
      JsonObject error = next(wire);
      assertThat(error.getString("event")).isEqualTo("pusher:error");
      assertThat(dataOf(error).getInteger("code")).isEqualTo(4201);
      assertThat(wire.awaitCloseCode()).isEqualTo(4201);
    }
  }

  @Test
  void a_socket_that_answers_the_server_ping_stays_open() throws IOException {
    try (RawWebSocketWire wire = open("/app/parley-dev-key?protocol=7")) {
      next(wire);
      for (int i = 0; i < 3; i++) {
        assertThat(next(wire).getString("event")).isEqualTo("pusher:ping");
        send(wire, new JsonObject().put("event", "pusher:pong").put("data", new JsonObject()));
      }
      // three pings a second apart: longer than the activity and pong timeouts together, and still open
      send(wire, new JsonObject().put("event", "pusher:ping"));
      assertThat(next(wire).getString("event")).isEqualTo("pusher:pong");
    }
  }

  @Test
  void an_unknown_app_is_closed_with_4001_and_a_disabled_one_with_4003() throws IOException {
    assertClosedWith("/app/nobody?protocol=7", 4001);
    assertClosedWith("/app/off-key?protocol=7", 4003);
  }

  @Test
  void a_missing_malformed_or_unsupported_protocol_version_is_closed_with_4008_4006_4007() throws IOException {
    assertClosedWith("/app/parley-dev-key", 4008);
    assertClosedWith("/app/parley-dev-key?protocol=seven", 4006);
    assertClosedWith("/app/parley-dev-key?protocol=4", 4007);
    assertClosedWith("/app/parley-dev-key?protocol=8", 4007);
    try (RawWebSocketWire wire = open("/app/parley-dev-key?protocol=5")) {
      assertThat(next(wire).getString("event")).as("5 to 7 are served").isEqualTo("pusher:connection_established");
    }
  }

  private static void assertClosedWith(String path, int code) throws IOException {
    try (RawWebSocketWire wire = open(path)) {
      JsonObject error = next(wire);
      assertThat(error.getString("event")).as(path).isEqualTo("pusher:error");
      assertThat(dataOf(error).getInteger("code")).as(path).isEqualTo(code);
      assertThat(dataOf(error).getString("message")).as(path).isNotBlank();
      assertThat(wire.awaitCloseCode()).as(path).isEqualTo(code);
    }
  }

  @Test
  void other_paths_under_app_are_not_upgraded() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> open("/app/parley-dev-key/extra?protocol=7").close())
      .hasMessageContaining("404");
  }

  @Test
  void a_message_parley_cannot_read_is_answered_with_pusher_error_and_the_socket_stays_open() throws IOException {
    try (RawWebSocketWire wire = open("/app/parley-dev-key?protocol=7")) {
      next(wire);
      wire.send(RawWebSocketWire.TEXT, "not json".getBytes(StandardCharsets.UTF_8));
      assertThat(dataOf(next(wire)).getInteger("code")).isEqualTo(PusherFrames.MALFORMED);
      send(wire, new JsonObject().put("event", "pusher:teleport"));
      assertThat(dataOf(next(wire)).getString("message")).contains("pusher:teleport");
      send(wire, new JsonObject().put("event", "pusher:subscribe").put("data", new JsonObject().put("channel", "private-bad room")));
      JsonObject refused = next(wire);
      assertThat(refused.getString("channel")).isEqualTo("private-bad room");
      assertThat(dataOf(refused).getInteger("code")).isEqualTo(PusherFrames.MALFORMED);

      send(wire, new JsonObject().put("event", "pusher:ping"));
      assertThat(next(wire).getString("event")).as("still open").isEqualTo("pusher:pong");
    }
  }

  @Test
  void a_presence_subscription_without_channel_data_from_a_socket_not_signed_in_is_refused_not_left_waiting() throws IOException {
    try (RawWebSocketWire wire = open("/app/parley-dev-key?protocol=7")) {
      String socketId = dataOf(next(wire)).getString("socket_id");
      String auth = "parley-dev-key:" + PusherSignature.sign("parley-dev-pusher-secret", socketId + ":presence-board-1");
      send(wire, new JsonObject().put("event", "pusher:subscribe")
        .put("data", new JsonObject().put("channel", "presence-board-1").put("auth", auth)));
      JsonObject refused = next(wire);
      assertThat(refused.getString("event")).isEqualTo("pusher:subscription_error");
      assertThat(dataOf(refused).getInteger("status")).isEqualTo(400);
      assertThat(dataOf(refused).getString("error")).contains("channel_data");
    }
  }

  @Test
  void a_subscription_with_its_data_as_a_json_string_is_read_like_one_with_an_object() throws IOException {
    try (RawWebSocketWire wire = open("/app/parley-dev-key?protocol=7")) {
      next(wire);
      send(wire, new JsonObject().put("event", "pusher:subscribe").put("data", new JsonObject().put("channel", "public-lobby").encode()));
      JsonObject succeeded = next(wire);
      assertThat(succeeded.getString("event")).isEqualTo("pusher_internal:subscription_succeeded");
      assertThat(succeeded.getString("channel")).isEqualTo("public-lobby");
      assertThat(dataOf(succeeded)).isEqualTo(new JsonObject());
    }
  }
}
