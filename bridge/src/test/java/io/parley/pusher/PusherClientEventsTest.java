package io.parley.pusher;

import io.parley.testing.BridgeClient;
import io.parley.testing.PusherJsClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Client events ({@code client-*}) from pusher-js: on private and presence channels of an app that
 * allows them, at most 10 a second per connection, to every other subscriber and never back to
 * the sender, with the sender's {@code user_id} on a presence channel. Each is a publish in the
 * room, so Parley's bridge clients get it as an envelope with its offset and sender, and it is in
 * the room's history.
 */
class PusherClientEventsTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(new JsonObject().put("pusher", new JsonObject().put("apps", new JsonArray()
      .add(new JsonObject().put("id", PusherJsClient.DEV_APP).put("key", PusherJsClient.DEV_KEY).put("secret", PusherJsClient.DEV_SECRET)
        .put("clientEvents", true))
      .add(new JsonObject().put("id", "quiet").put("key", "quiet-key").put("secret", "quiet-secret")))));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void trigger(String room, String event) {
    try {
      node.node().realtime().trigger(room, event, 0).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static PusherJsClient subscribed(String channel) {
    PusherJsClient client = PusherJsClient.connect(node);
    client.subscribe(channel);
    client.awaitEvent(channel, "pusher:subscription_succeeded");
    return client;
  }

  @Test
  void a_client_event_reaches_the_other_subscribers_and_bridge_members_but_not_its_sender() {
    try (PusherJsClient carol = subscribed("private-board-30"); PusherJsClient dave = subscribed("private-board-30");
         BridgeClient ann = node.signIn("ann", TestNode.boards("30"))) {
      ann.join("board-30");
      carol.trigger("private-board-30", "client-typing", new JsonObject().put("field", "title"));

      assertThat(dave.awaitEvent("private-board-30", "client-typing").getJsonObject("data"))
        .isEqualTo(new JsonObject().put("field", "title"));
      List<JsonObject> envelopes = ann.envelopesUntil("room.board-30", "client-typing");
      JsonObject typing = envelopes.get(envelopes.size() - 1);
      assertThat(typing.getJsonObject("data")).isEqualTo(new JsonObject().put("field", "title"));
      assertThat(typing.getLong("offset")).as("in the room's stream").isPositive();
      assertThat(typing.getJsonObject("from").getString("userId")).as("an anonymous socket").startsWith("pusher:");

      JsonObject history = ann.request("rooms.history", new JsonObject().put("room", "board-30").put("sinceOffset", 0));
      assertThat(history.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("event"))).contains("client-typing");

      trigger("board-30", "marker");
      carol.awaitEvent("private-board-30", "marker");
      assertThat(carol.events("private-board-30", "client-typing")).as("never echoed to its sender").isEmpty();
    }
  }

  @Test
  void on_a_presence_channel_a_client_event_names_its_sender() {
    try (PusherJsClient carol = PusherJsClient.connect(node); PusherJsClient dave = PusherJsClient.connect(node)) {
      carol.subscribe("presence-board-31", new JsonObject().put("user_id", "carol"));
      dave.subscribe("presence-board-31", new JsonObject().put("user_id", "dave"));
      carol.awaitEvent("presence-board-31", "pusher:subscription_succeeded");
      dave.awaitEvent("presence-board-31", "pusher:subscription_succeeded");

      carol.trigger("presence-board-31", "client-wave", "hi");
      JsonObject wave = dave.awaitMessage("presence-board-31", "client-wave");
      assertThat(wave.getString("user_id")).isEqualTo("carol");
      assertThat(wave.getString("data")).isEqualTo("hi");
    }
  }

  @Test
  void a_client_event_on_a_public_channel_is_refused_and_the_socket_stays_open() {
    try (PusherJsClient carol = subscribed("public-chatter")) {
      carol.trigger("public-chatter", "client-shout", 1);
      JsonObject refused = carol.awaitPusherError();
      assertThat(refused.getInteger("code")).isEqualTo(PusherFrames.CLIENT_EVENT_REFUSED);
      assertThat(refused.getString("message")).contains("private and presence");

      carol.subscribe("private-board-32");
      carol.awaitEvent("private-board-32", "pusher:subscription_succeeded");
    }
  }

  @Test
  void more_than_ten_client_events_a_second_are_refused_with_4301_and_the_socket_stays_open() {
    try (PusherJsClient carol = subscribed("private-board-33"); PusherJsClient dave = subscribed("private-board-33")) {
      carol.burst("private-board-33", "client-move", 30);
      assertThat(carol.awaitPusherError().getInteger("code")).isEqualTo(PusherFrames.OVER_RATE);

      trigger("board-33", "marker");
      dave.awaitEvent("private-board-33", "marker");
      int delivered = dave.events("private-board-33", "client-move").size();
      assertThat(delivered).as("ten at once, and what the rate refilled meanwhile").isBetween(10, 15);

      carol.subscribe("private-board-34");
      carol.awaitEvent("private-board-34", "pusher:subscription_succeeded");
    }
  }

  @Test
  void an_app_without_client_events_refuses_them() {
    try (PusherJsClient carol = PusherJsClient.connect(node.port(), "quiet-key", "quiet", "quiet-secret");
         PusherJsClient dave = PusherJsClient.connect(node.port(), "quiet-key", "quiet", "quiet-secret")) {
      carol.subscribe("private-board-35");
      dave.subscribe("private-board-35");
      carol.awaitEvent("private-board-35", "pusher:subscription_succeeded");
      dave.awaitEvent("private-board-35", "pusher:subscription_succeeded");

      carol.trigger("private-board-35", "client-typing", 1);
      JsonObject refused = carol.awaitPusherError();
      assertThat(refused.getInteger("code")).isEqualTo(PusherFrames.CLIENT_EVENT_REFUSED);
      assertThat(refused.getString("message")).contains("not enabled");
      trigger("board-35", "marker");
      dave.awaitEvent("private-board-35", "marker");
      assertThat(dave.events("private-board-35", "client-typing")).isEmpty();
    }
  }
}
