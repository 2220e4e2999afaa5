package io.parley.bridge;

import io.parley.testing.BridgeClient;
import io.parley.testing.BridgeClient.BridgeError;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bridge is the security boundary: what a socket may and may not do. */
class BridgeSecurityTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(new JsonObject()
      .put("auth", new JsonObject().put("timeoutMs", 500))
      .put("bridge", new JsonObject().put("maxBodyBytes", 4096).put("maxFrameBytes", 8192).put("maxRoomsPerSocket", 8)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void a_socket_that_does_not_authenticate_in_time_is_closed() {
    try (BridgeClient silent = node.connect(BridgeClient.Transport.RAW)) {
      assertThat(silent.awaitClosed()).isEqualTo(CloseReason.AUTH_TIMEOUT.code());
      assertThat(silent.nextError().getString("body")).isEqualTo("auth_timeout");
    }
  }

  @Test
  void a_sockjs_socket_is_told_why_before_it_is_closed() {
    try (BridgeClient silent = node.connect(BridgeClient.Transport.SOCKJS)) {
      assertThat(silent.awaitClosed()).as("SockJS close frame c[4001, ...]").isEqualTo(CloseReason.AUTH_TIMEOUT.code());
      assertThat(silent.nextError().getString("body")).isEqualTo("auth_timeout");
    }
  }

  @Test
  void before_authentication_every_frame_is_refused_with_401() {
    try (BridgeClient client = node.connect()) {
      assertThat(client.requestCode("rooms.state", new JsonObject().put("room", "votes-1"))).isEqualTo(401);
      client.register("room.votes-1");
      JsonObject refused = client.next("room.votes-1");
      assertThat(refused.getString("type")).isEqualTo("err");
      assertThat(refused.getInteger("failureCode")).isEqualTo(401);
    }
  }

  @Test
  void a_bad_token_is_refused_and_the_socket_may_try_again() {
    try (BridgeClient client = node.connect()) {
      String sessionId = UUID.randomUUID().toString();
      assertThat(client.requestCode("auth.authenticate", new JsonObject().put("token", "not-a-jwt").put("sessionId", sessionId)))
        .isEqualTo(401);
      JsonObject reply = client.request("auth.authenticate", new JsonObject().put("token", node.token("ann")).put("sessionId", sessionId));
      assertThat(reply.getString("userId")).isEqualTo("ann");
      assertThat(reply.getString("sessionId")).isEqualTo(sessionId);
      assertThat(reply.getString("connectionId")).isNotBlank();
      assertThat(reply.getBoolean("resumed")).isFalse();
      assertThat(reply.fieldNames()).containsExactlyInAnyOrder("userId", "name", "sessionId", "connectionId", "resumed");
    }
  }

  @Test
  void a_tab_that_authenticates_again_is_resumed_but_nobody_else_can_take_its_session() {
    String sessionId = UUID.randomUUID().toString();
    try (BridgeClient first = node.signIn("ann", new JsonObject(), sessionId)) {
      first.close();
    }
    try (BridgeClient again = node.connect()) {
      JsonObject reply = again.request("auth.authenticate", new JsonObject().put("token", node.token("ann")).put("sessionId", sessionId));
      assertThat(reply.getBoolean("resumed")).isTrue();
    }
    try (BridgeClient thief = node.connect()) {
      assertThat(thief.requestCode("auth.authenticate", new JsonObject().put("token", node.token("mallory")).put("sessionId", sessionId)))
        .isEqualTo(403);
    }
  }

  @Test
  void forged_identity_headers_are_overwritten() {
    try (BridgeClient ann = node.signIn("ann", boards("7")); BridgeClient bob = node.signIn("bob", boards("7"))) {
      bob.join("board-7");
      ann.request("rooms.publish", new JsonObject().put("room", "board-7").put("event", "task.update").put("data", 1),
        new JsonObject().put("userId", "bob").put("sessionId", "forged").put("connectionId", "forged"));
      List<JsonObject> seen = bob.envelopesUntil("room.board-7", "task.update");
      JsonObject envelope = seen.get(seen.size() - 1);
      assertThat(envelope.getJsonObject("from").getString("userId")).isEqualTo("ann");
      assertThat(envelope.getJsonObject("from").getString("sessionId")).isNotEqualTo("forged");
    }
  }

  @Test
  void rooms_of_other_users_sessions_and_chats_cannot_be_joined() {
    try (BridgeClient ann = node.signIn("ann", boards("1"))) {
      assertRegisterRefused(ann, "room.user-bob", 403);
      assertRegisterRefused(ann, "room.client-" + UUID.randomUUID(), 403);
      assertRegisterRefused(ann, "room.chat-bob-carol", 403);
      assertRegisterRefused(ann, "room.board-2", 403);
      assertRegisterRefused(ann, "room.board-2-tasks", 403);
      assertRegisterRefused(ann, "room.org-acme", 403);
      assertRegisterRefused(ann, "auth.authenticate", 403);
      assertRegisterRefused(ann, "rooms.publish", 403);
      assertRegisterRefused(ann, "room.bad name!", 400);
    }
  }

  @Test
  void own_rooms_and_claimed_rooms_can_be_joined() {
    String sessionId = UUID.randomUUID().toString();
    try (BridgeClient ann = node.signIn("ann", boards("1"), sessionId)) {
      for (String room : new String[]{"user-ann", "client-" + sessionId, "chat-ann-bob", "board-1", "board-1-tasks", "votes-9"}) {
        ann.register("room." + room);
        JsonObject state = ann.request("rooms.state", new JsonObject().put("room", room));
        assertThat(state.getJsonArray("members").getJsonObject(0).getString("userId")).as(room).isEqualTo("ann");
      }
    }
  }

  @Test
  void requests_naming_a_room_are_checked_like_joining_it() {
    try (BridgeClient ann = node.signIn("ann")) {
      assertThat(ann.requestCode("rooms.publish", new JsonObject().put("room", "user-bob").put("event", "user.update").put("data", 1)))
        .isEqualTo(403);
      assertThat(ann.requestCode("rooms.history", new JsonObject().put("room", "board-5").put("sinceOffset", 0)))
        .isEqualTo(403);
      assertThat(ann.requestCode("rooms.state", new JsonObject().put("room", "no spaces allowed"))).isEqualTo(400);
    }
  }

  @Test
  void only_the_inbound_addresses_can_be_sent_to() {
    try (BridgeClient ann = node.signIn("ann")) {
      assertThat(ann.requestCode("auth.revoke", new JsonObject().put("userId", "bob"))).isEqualTo(403);
      assertThat(ann.requestCode("rooms.join", new JsonObject().put("room", "user-ann").put("name", "x"))).isEqualTo(403);
      assertThat(ann.requestCode("room.user-ann", new JsonObject())).isEqualTo(403);
      assertThat(ann.requestCode("anything.else", new JsonObject())).isEqualTo(403);
      ann.send(new JsonObject().put("type", "publish").put("address", "room.user-ann").put("body", new JsonObject()));
      assertThat(ann.nextError().getInteger("failureCode")).isEqualTo(403);
    }
  }

  @Test
  void clients_publish_only_declared_events() {
    try (BridgeClient ann = node.signIn("ann")) {
      assertThat(ann.requestCode("rooms.publish", new JsonObject().put("room", "user-ann").put("event", "lock.granted").put("data", 1)))
        .isEqualTo(403);
      assertThat(ann.requestCode("rooms.publish", new JsonObject().put("room", "user-ann").put("event", "user.update").put("data", 1)))
        .isZero();
    }
  }

  @Test
  void an_expired_token_closes_the_socket() {
    try (BridgeClient client = node.connect(BridgeClient.Transport.RAW)) {
      client.request("auth.authenticate", new JsonObject()
        .put("token", node.token("ann", new JsonObject().put("ttlSeconds", 1)))
        .put("sessionId", UUID.randomUUID().toString()));
      assertThat(client.awaitClosed()).isEqualTo(CloseReason.TOKEN_EXPIRED.code());
      assertThat(client.nextError().getString("body")).isEqualTo("token_expired");
    }
  }

  @Test
  void revoking_a_user_closes_all_their_sockets_and_voids_their_tokens() {
    String oldToken = node.token("rita");
    BridgeClient.Transport raw = BridgeClient.Transport.RAW;
    try (BridgeClient tab1 = node.signIn("rita", new JsonObject(), UUID.randomUUID().toString(), raw);
         BridgeClient tab2 = node.signIn("rita", new JsonObject(), UUID.randomUUID().toString(), raw);
         BridgeClient other = node.signIn("sam")) {
      node.vertx().eventBus().request("auth.revoke", new JsonObject().put("userId", "rita")).await();
      assertThat(tab1.awaitClosed()).isEqualTo(CloseReason.REVOKED.code());
      assertThat(tab2.awaitClosed()).isEqualTo(CloseReason.REVOKED.code());
      assertThat(other.requestCode("rooms.activity", new JsonObject().put("active", true))).isZero();
      assertThat(other.isClosed()).isFalse();
    }
    try (BridgeClient again = node.connect()) {
      assertThat(again.requestCode("auth.authenticate", new JsonObject().put("token", oldToken)
        .put("sessionId", UUID.randomUUID().toString()))).isEqualTo(401);
    }
  }

  @Test
  void an_oversize_body_gets_413_and_the_socket_keeps_working() {
    try (BridgeClient ann = node.signIn("ann")) {
      JsonObject big = new JsonObject().put("room", "user-ann").put("event", "user.update").put("data", "x".repeat(5000));
      assertThatThrownBy(() -> ann.request("rooms.publish", big))
        .isInstanceOfSatisfying(BridgeError.class, e -> assertThat(e.code).isEqualTo(413));
      assertThat(ann.requestCode("rooms.publish", big.copy().put("data", "small"))).isZero();
    }
  }

  @Test
  void a_transport_frame_over_the_limit_closes_only_that_socket() {
    try (BridgeClient big = node.signIn("ann", new JsonObject(), UUID.randomUUID().toString(), BridgeClient.Transport.RAW);
         BridgeClient bystander = node.signIn("bob")) {
      big.sendText(new JsonObject().put("type", "send").put("address", "rooms.activity")
        .put("body", new JsonObject().put("pad", "x".repeat(10_000))).encode());
      assertThat(big.awaitClosed()).isEqualTo(1009);
      assertThat(bystander.requestCode("rooms.activity", new JsonObject().put("active", true))).isZero();
    }
  }

  @Test
  void a_socket_may_join_a_bounded_number_of_rooms() {
    try (BridgeClient ann = node.signIn("ann")) {
      for (int i = 1; i <= 8; i++) {
        ann.register("room.votes-limit-" + i);
      }
      ann.register("room.votes-limit-9");
      assertThat(ann.nextRefusal("room.votes-limit-9").getInteger("failureCode")).isEqualTo(429);
      ann.unregister("room.votes-limit-1");
      ann.register("room.votes-limit-10");
      assertThat(ann.request("rooms.state", new JsonObject().put("room", "votes-limit-10")).getJsonArray("members")).hasSize(1);
    }
  }

  @Test
  void flooding_gets_429_and_the_socket_stays_open() {
    JsonObject slow = new JsonObject().put("bridge", new JsonObject().put("ratePerSecond", 5).put("rateBurst", 10));
    try (TestNode limited = TestNode.start(slow); BridgeClient ann = limited.signIn("ann")) {
      int refused = 0;
      int answered = 0;
      for (int i = 0; i < 30; i++) {
        int code = ann.requestCode("rooms.activity", new JsonObject().put("active", true));
        if (code == 429) {
          refused++;
        } else {
          assertThat(code).isZero();
          answered++;
        }
      }
      // a burst of 10 at 5/s, one spent on authenticating; 30 round trips take far less than
      // the 4 s it would take to earn 20 more, so a good share is refused
      assertThat(refused).isGreaterThanOrEqualTo(10);
      assertThat(answered).isGreaterThanOrEqualTo(9);
      assertThat(ann.isClosed()).isFalse();
    }
  }

  @Test
  void malformed_frames_get_an_error_and_affect_no_other_socket() {
    try (BridgeClient ann = node.signIn("ann"); BridgeClient bob = node.signIn("bob")) {
      bob.join("votes-m");
      ann.sendText("{not json");
      assertThat(ann.nextError().getString("body")).isEqualTo("invalid_json");
      ann.sendText("[1,2,3]");
      assertThat(ann.nextError().getString("body")).isEqualTo("invalid_json");
      ann.sendText("{\"type\":\"explode\"}");
      assertThat(ann.nextError().getString("body")).isEqualTo("invalid_type");
      try (BridgeClient garbage = node.signIn("gus")) {
        // garbage below the bridge protocol (broken SockJS framing) may close that one socket
        garbage.sendTransportText("this is not sockjs framing");
        garbage.awaitClosed();
      }
      ann.request("rooms.publish", new JsonObject().put("room", "votes-m").put("event", "user.update").put("data", 1));
      assertThat(bob.envelopesUntil("room.votes-m", "user.update")).last()
        .satisfies(e -> assertThat(e.getJsonObject("from").getString("userId")).isEqualTo("ann"));
    }
  }

  @Test
  void the_same_address_cannot_be_registered_twice() {
    try (BridgeClient ann = node.signIn("ann")) {
      ann.register("room.user-ann");
      ann.register("room.user-ann");
      JsonObject refused = ann.nextRefusal("room.user-ann");
      assertThat(refused.getInteger("failureCode")).isEqualTo(409);
    }
  }

  private static void assertRegisterRefused(BridgeClient client, String address, int code) {
    client.register(address);
    JsonObject frame = client.next(address);
    assertThat(frame.getString("type")).as(address).isEqualTo("err");
    assertThat(frame.getInteger("failureCode")).as(address).isEqualTo(code);
    assertThat(frame.getString("message")).as(address).isNotBlank();
  }
}
