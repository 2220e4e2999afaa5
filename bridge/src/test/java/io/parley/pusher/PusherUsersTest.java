package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.testing.PusherJsClient;
import io.parley.testing.RawWebSocketWire;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Users of a Pusher app: {@code pusher.signin()} with the app's signature makes a socket that
 * user's, which opens their {@code #server-to-user-<id>} channel (the room {@code user-<id>}) to it
 * alone and makes them its member on presence channels without {@code channel_data}; the app can
 * close every socket of a user, on any node, with {@code parley.pusher.terminate} (4009).
 */
class PusherUsersTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonObject user(String id) {
    return new JsonObject().put("id", id).put("user_info", new JsonObject().put("name", "Name of " + id));
  }

  @Test
  void a_signed_in_user_gets_the_events_of_their_own_server_to_user_channel() throws Exception {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.awaitConnected();
      carol.signin(user("carol"));
      carol.awaitMessage("#server-to-user-carol", "pusher_internal:subscription_succeeded");

      node.node().realtime().trigger("user-carol", "account.notice", new JsonObject().put("text", "hello")).await(10, TimeUnit.SECONDS);
      assertThat(carol.awaitUserEvent("account.notice").getJsonObject("data")).isEqualTo(new JsonObject().put("text", "hello"));
    }
  }

  @Test
  void only_the_socket_signed_in_as_the_user_may_subscribe_to_their_server_to_user_channel() throws IOException {
    try (RawWebSocketWire wire = RawWebSocketWire.open(node.port(), "/app/parley-dev-key?protocol=7")) {
      wire.awaitFrame();
      wire.send(RawWebSocketWire.TEXT, new JsonObject().put("event", "pusher:subscribe")
        .put("data", new JsonObject().put("channel", "#server-to-user-carol")).encode().getBytes(StandardCharsets.UTF_8));
      JsonObject refused = new JsonObject(wire.awaitFrame());
      assertThat(refused.getString("event")).isEqualTo("pusher:subscription_error");
      assertThat(new JsonObject(refused.getString("data")).getInteger("status")).isEqualTo(403);
    }
  }

  @Test
  void a_signed_in_user_is_the_member_of_a_presence_channel_authorized_without_channel_data() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.signin(user("carol"));
      carol.awaitMessage("#server-to-user-carol", "pusher_internal:subscription_succeeded");
      carol.subscribe("presence-board-40");
      JsonObject members = carol.awaitEvent("presence-board-40", "pusher:subscription_succeeded").getJsonObject("data");
      assertThat(members.getJsonObject("me")).isEqualTo(new JsonObject().put("id", "carol")
        .put("info", new JsonObject().put("name", "Name of carol")));
    }
  }

  @Test
  void a_sign_in_with_a_wrong_signature_closes_the_socket_with_4009() throws IOException {
    try (RawWebSocketWire wire = RawWebSocketWire.open(node.port(), "/app/parley-dev-key?protocol=7")) {
      wire.awaitFrame();
      wire.send(RawWebSocketWire.TEXT, new JsonObject().put("event", "pusher:signin").put("data", new JsonObject()
        .put("user_data", user("carol").encode()).put("auth", "parley-dev-key:" + "0".repeat(64))).encode().getBytes(StandardCharsets.UTF_8));
      JsonObject error = new JsonObject(wire.awaitFrame());
      assertThat(error.getString("event")).isEqualTo("pusher:error");
      assertThat(new JsonObject(error.getString("data")).getInteger("code")).isEqualTo(4009);
      assertThat(wire.awaitCloseCode()).isEqualTo(4009);
    }
  }

  @Test
  void terminating_a_user_closes_their_sockets_with_4009_and_no_one_elses() {
    try (PusherJsClient carol = PusherJsClient.connect(node); PusherJsClient carolAgain = PusherJsClient.connect(node);
         PusherJsClient dave = PusherJsClient.connect(node)) {
      for (PusherJsClient socket : new PusherJsClient[] {carol, carolAgain}) {
        socket.signin(user("carol"));
        socket.awaitMessage("#server-to-user-carol", "pusher_internal:subscription_succeeded");
      }
      dave.signin(user("dave"));
      dave.awaitMessage("#server-to-user-dave", "pusher_internal:subscription_succeeded");

      node.vertx().eventBus().publish(Addresses.PUSHER_TERMINATE, new JsonObject().put("app", "parley-dev").put("userId", "carol"));

      for (PusherJsClient socket : new PusherJsClient[] {carol, carolAgain}) {
        assertThat(socket.awaitPusherError().getInteger("code")).isEqualTo(4009);
        socket.awaitState("disconnected");
      }
      dave.subscribe("private-board-41");
      dave.awaitEvent("private-board-41", "pusher:subscription_succeeded");
      assertThat(dave.seen(line -> "disconnected".equals(line.getString("state")))).isEmpty();
    }
  }
}
