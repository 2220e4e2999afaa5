package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.shared.Headers;
import io.parley.testing.BridgeClient;
import io.parley.testing.PusherJsClient;
import io.parley.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A presence channel is its room's presence, whichever protocol its members speak: pusher-js
 * gets the room's whole membership on subscribing, {@code pusher:member_added} for a user's first
 * connection and {@code pusher:member_removed} after their last, and Parley's bridge clients see
 * Pusher members (with their user_info) come and go as {@code presence.join} and
 * {@code presence.leave}.
 */
class PusherPresenceTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonObject user(Object id, String name) {
    return new JsonObject().put("user_id", id).put("user_info", new JsonObject().put("name", name));
  }

  /** The next {@code event} about {@code userId} a bridge client gets in {@code room}, skipping the others. */
  private static JsonObject presence(BridgeClient client, String room, String event, String userId) {
    while (true) {
      List<JsonObject> seen = client.envelopesUntil("room." + room, event);
      JsonObject last = seen.get(seen.size() - 1);
      if (userId.equals(last.getJsonObject("data").getString("userId"))) {
        return last;
      }
    }
  }

  @Test
  void members_of_both_protocols_are_one_presence() {
    try (BridgeClient ann = node.signIn("ann", TestNode.boards("20"));
         PusherJsClient carol = PusherJsClient.connect(node); PusherJsClient dave = PusherJsClient.connect(node)) {
      ann.join("board-20");
      carol.awaitConnected();
      carol.subscribe("presence-board-20", user("carol", "Carol"));
      JsonObject members = carol.awaitEvent("presence-board-20", "pusher:subscription_succeeded").getJsonObject("data");
      assertThat(members.getInteger("count")).isEqualTo(2);
      assertThat(members.getJsonObject("members").getMap()).containsOnlyKeys("ann", "carol");
      assertThat(members.getJsonObject("members").getJsonObject("ann")).as("a bridge member's info is its name")
        .isEqualTo(new JsonObject().put("name", "User ann"));
      assertThat(members.getJsonObject("me").getString("id")).isEqualTo("carol");

      JsonObject carolJoined = presence(ann, "board-20", "presence.join", "carol");
      assertThat(carolJoined.getJsonObject("data").getJsonObject("info")).isEqualTo(new JsonObject().put("name", "Carol"));

      dave.awaitConnected();
      dave.subscribe("presence-board-20", user(7, "Dave"));
      JsonObject added = carol.awaitEvent("presence-board-20", "pusher:member_added").getJsonObject("data");
      assertThat(added).isEqualTo(new JsonObject().put("id", "7").put("info", new JsonObject().put("name", "Dave")));
      presence(ann, "board-20", "presence.join", "7");

      dave.disconnect();
      assertThat(carol.awaitEvent("presence-board-20", "pusher:member_removed").getJsonObject("data").getString("id")).isEqualTo("7");
      presence(ann, "board-20", "presence.leave", "7");

      try (BridgeClient bob = node.signIn("bob", TestNode.boards("20"))) {
        bob.join("board-20");
        assertThat(carol.awaitEvent("presence-board-20", "pusher:member_added").getJsonObject("data"))
          .isEqualTo(new JsonObject().put("id", "bob").put("info", new JsonObject().put("name", "User bob")));
      }
      assertThat(carol.awaitEvent("presence-board-20", "pusher:member_removed").getJsonObject("data").getString("id")).isEqualTo("bob");
      assertThat(carol.members("presence-board-20").getInteger("count")).isEqualTo(2);
    }
  }

  @Test
  void a_user_on_two_sockets_is_one_member_added_once_and_removed_after_the_last_and_1_is_the_same_user_as_the_string_1() {
    try (BridgeClient ann = node.signIn("ann", TestNode.boards("21")); PusherJsClient carol = PusherJsClient.connect(node);
         PusherJsClient first = PusherJsClient.connect(node); PusherJsClient second = PusherJsClient.connect(node)) {
      ann.join("board-21");
      carol.subscribe("presence-board-21", user("carol", "Carol"));
      carol.awaitEvent("presence-board-21", "pusher:subscription_succeeded");

      first.subscribe("presence-board-21", user(1, "One"));
      first.awaitEvent("presence-board-21", "pusher:subscription_succeeded");
      second.subscribe("presence-board-21", user("1", "One"));
      JsonObject secondSees = second.awaitEvent("presence-board-21", "pusher:subscription_succeeded").getJsonObject("data");
      assertThat(secondSees.getInteger("count")).as("ann, carol and user 1").isEqualTo(3);

      first.disconnect();
      ann.awaitState("board-21", state -> BridgeClient.connectionsOf(state, "1") == 1);
      node.node().realtime().trigger("board-21", "marker", 1);
      carol.awaitEvent("presence-board-21", "marker");
      assertThat(carol.events("presence-board-21", "pusher:member_added")).as("once, for the first socket").hasSize(1);
      assertThat(carol.events("presence-board-21", "pusher:member_removed")).as("not while a socket remains").isEmpty();

      second.disconnect();
      assertThat(carol.awaitEvent("presence-board-21", "pusher:member_removed").getJsonObject("data").getString("id")).isEqualTo("1");
    }
  }

  @Test
  void a_presence_subscription_with_a_bad_user_is_a_subscription_error() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.awaitConnected();
      carol.subscribe("presence-board-23", user("x".repeat(129), "Long"));
      assertThat(carol.awaitEvent("presence-board-23", "pusher:subscription_error").getJsonObject("data").getInteger("status"))
        .isEqualTo(400);
      carol.subscribe("presence-board-24", new JsonObject().put("user_id", "big").put("user_info", new JsonObject().put("bio", "b".repeat(1100))));
      assertThat(carol.awaitEvent("presence-board-24", "pusher:subscription_error").getJsonObject("data").getString("error"))
        .contains("1024");
      carol.subscribe("presence-board-25", user("pusher:123.456", "Impostor"));
      assertThat(carol.awaitEvent("presence-board-25", "pusher:subscription_error").getJsonObject("data").getString("error"))
        .contains("pusher:");
    }
  }

  @Test
  void a_presence_channel_has_at_most_100_members_and_a_member_may_still_open_another_socket() throws Exception {
    List<Future<Object>> joins = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      DeliveryOptions identity = new DeliveryOptions().addHeader(Headers.USER_ID, "member-" + i).addHeader(Headers.SESSION_ID, "s" + i)
        .addHeader(Headers.CONNECTION_ID, "c" + i).addHeader(Headers.USER_NAME, "Member " + i);
      joins.add(node.vertx().eventBus().request(Addresses.ROOMS_JOIN, new JsonObject().put("room", "board-26").put("name", "Member " + i)
        .put("node", "elsewhere"), identity).map(reply -> reply.body()));
    }
    Future.all(joins).await(20, TimeUnit.SECONDS);
    try (PusherJsClient carol = PusherJsClient.connect(node); PusherJsClient five = PusherJsClient.connect(node)) {
      carol.subscribe("presence-board-26", user("carol", "Carol"));
      JsonObject refused = carol.awaitEvent("presence-board-26", "pusher:subscription_error").getJsonObject("data");
      assertThat(refused.getString("type")).isEqualTo("LimitReached");
      carol.subscribe("presence-board-27", user("carol", "Carol"));
      carol.awaitEvent("presence-board-27", "pusher:subscription_succeeded");

      five.subscribe("presence-board-26", user("member-5", "Member 5"));
      assertThat(five.awaitEvent("presence-board-26", "pusher:subscription_succeeded").getJsonObject("data").getInteger("count"))
        .isEqualTo(100);
    }
  }
}
