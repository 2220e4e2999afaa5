package io.parley.pusher;

import io.parley.testing.BridgeClient;
import io.parley.testing.PusherJsClient;
import io.parley.testing.SignedCall;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published pusher-js 8.6.0 subscribes to Parley's rooms as Pusher channels: a public channel
 * only where {@code pusher.publicRoomPrefixes} opens the room, a private (or end-to-end
 * encrypted) one with the app's signature, and it gets the room's events, whoever published
 * them: the server, or a client of Parley's own bridge in the same room.
 */
class PusherChannelsTest {

  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static void trigger(String room, String event, Object data) {
    try {
      node.node().realtime().trigger(room, event, data).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_public_channel_whose_room_is_open_gets_the_rooms_events_with_their_data() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      assertThat(carol.awaitConnected()).matches("^\\d+\\.\\d+$");
      carol.subscribe("public-lobby");
      carol.awaitEvent("public-lobby", "pusher:subscription_succeeded");

      trigger("public-lobby", "poll.opened", new JsonObject().put("question", "Lunch?"));
      trigger("public-lobby", "poll.note", "plain text");

      assertThat(carol.awaitEvent("public-lobby", "poll.opened").getJsonObject("data")).isEqualTo(new JsonObject().put("question", "Lunch?"));
      assertThat(carol.awaitEvent("public-lobby", "poll.note").getString("data")).isEqualTo("plain text");
    }
  }

  @Test
  void a_public_channel_outside_the_open_rooms_is_refused_and_the_socket_stays_open() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.awaitConnected();
      carol.subscribe("board-7");
      JsonObject refused = carol.awaitPusherError();
      assertThat(refused.getInteger("code")).isEqualTo(PusherFrames.CHANNEL_NOT_OPEN);
      assertThat(refused.getString("message")).contains("private-board-7");

      carol.subscribe("public-lobby");
      carol.awaitEvent("public-lobby", "pusher:subscription_succeeded");
      assertThat(carol.events("board-7", "pusher:subscription_succeeded")).isEmpty();
    }
  }

  @Test
  void a_private_channel_is_the_room_and_a_bridge_client_in_it_and_pusher_js_see_each_others_events() {
    try (PusherJsClient carol = PusherJsClient.connect(node); BridgeClient ann = node.signIn("ann", TestNode.boards("7"))) {
      carol.awaitConnected();
      carol.subscribe("private-board-7");
      carol.awaitEvent("private-board-7", "pusher:subscription_succeeded");
      ann.join("board-7");

      ann.request("rooms.publish", new JsonObject().put("room", "board-7").put("event", "task.update").put("data", new JsonObject().put("id", 3)));
      JsonObject update = carol.awaitEvent("private-board-7", "task.update");
      assertThat(update.getJsonObject("data")).isEqualTo(new JsonObject().put("id", 3));

      trigger("board-7", "board.update", new JsonObject().put("title", "Q3"));
      assertThat(carol.awaitEvent("private-board-7", "board.update").getJsonObject("data").getString("title")).isEqualTo("Q3");
      assertThat(ann.envelopesUntil("room.board-7", "board.update")).isNotEmpty();
    }
  }

  @Test
  void a_wrong_signature_is_a_subscription_error_and_the_socket_stays_open() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.awaitConnected();
      carol.subscribeSignedWith("private-board-8", "not-the-apps-secret");
      JsonObject error = carol.awaitEvent("private-board-8", "pusher:subscription_error").getJsonObject("data");
      assertThat(error.getString("type")).isEqualTo("AuthError");
      assertThat(error.getInteger("status")).isEqualTo(401);

      carol.subscribe("private-board-9");
      carol.awaitEvent("private-board-9", "pusher:subscription_succeeded");
    }
  }

  @Test
  void an_end_to_end_encrypted_channel_is_subscribed_with_the_apps_signature() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.awaitConnected();
      carol.subscribe("private-encrypted-board-10");
      carol.awaitEvent("private-encrypted-board-10", "pusher:subscription_succeeded");
    }
  }

  @Test
  void an_api_trigger_with_a_socket_id_reaches_every_subscriber_but_that_socket() {
    try (PusherJsClient carol = PusherJsClient.connect(node); PusherJsClient dave = PusherJsClient.connect(node)) {
      String carolsSocket = carol.awaitConnected();
      dave.awaitConnected();
      for (PusherJsClient client : new PusherJsClient[] {carol, dave}) {
        client.subscribe("private-board-12");
        client.awaitEvent("private-board-12", "pusher:subscription_succeeded");
      }

      SignedCall.Answer triggered = SignedCall.post(node.port(), "/apps/parley-dev/events", new JsonObject()
        .put("name", "task.update").put("data", "{\"id\":1}").put("channel", "private-board-12").put("socket_id", carolsSocket)
        .encode()).send();
      assertThat(triggered.status()).as(triggered.body()).isEqualTo(200);
      trigger("board-12", "marker", 2);

      assertThat(dave.awaitEvent("private-board-12", "task.update").getJsonObject("data")).isEqualTo(new JsonObject().put("id", 1));
      carol.awaitEvent("private-board-12", "marker");
      assertThat(carol.events("private-board-12", "task.update")).as("the socket the trigger named, by the marker after it").isEmpty();
    }
  }

  @Test
  void a_subscriber_without_a_user_is_no_one_in_the_room_no_presence_and_no_poker_player() {
    try (BridgeClient ann = node.signIn("ann", TestNode.boards()); PusherJsClient carol = PusherJsClient.connect(node)) {
      ann.join("planning-poker-anon");
      carol.awaitConnected();
      carol.subscribe("planning-poker-anon");
      carol.awaitEvent("planning-poker-anon", "pusher:subscription_succeeded");
      trigger("planning-poker-anon", "marker", 1);

      List<JsonObject> seen = ann.envelopesUntil("room.planning-poker-anon", "marker");
      assertThat(seen).as("neither presence.join nor the poker's member-joined for the socket")
        .noneMatch(envelope -> envelope.getValue("data") instanceof JsonObject data
          && String.valueOf(data.getValue("userId")).startsWith("pusher:"));
    }
  }

  @Test
  void after_unsubscribing_a_channel_gets_nothing_more() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.awaitConnected();
      carol.subscribe("private-board-11");
      carol.awaitEvent("private-board-11", "pusher:subscription_succeeded");
      carol.unsubscribe("private-board-11");
      // handled in order: once this one succeeded, the unsubscribe was done
      carol.subscribe("public-after");
      carol.awaitEvent("public-after", "pusher:subscription_succeeded");

      trigger("board-11", "task.update", 1);
      trigger("public-after", "marker", 2);
      carol.awaitEvent("public-after", "marker");
      assertThat(carol.seen(line -> "task.update".equals(line.getString("event")))).as("published before the marker").isEmpty();
    }
  }

  @Test
  void a_cache_channel_gets_the_rooms_last_server_event_right_after_subscribing() {
    try (PusherJsClient carol = PusherJsClient.connect(node); BridgeClient ann = node.signIn("ann", TestNode.boards("50"))) {
      trigger("board-50", "price.changed", new JsonObject().put("price", 41));
      trigger("board-50", "price.changed", new JsonObject().put("price", 42));
      ann.join("board-50");
      ann.request("rooms.publish", new JsonObject().put("room", "board-50").put("event", "task.update").put("data", 1));

      carol.subscribe("private-cache-board-50");
      carol.awaitEvent("private-cache-board-50", "pusher:subscription_succeeded");
      assertThat(carol.awaitEvent("private-cache-board-50", "price.changed").getJsonObject("data"))
        .as("the last event the server triggered, not a client's publish").isEqualTo(new JsonObject().put("price", 42));
      assertThat(carol.events("private-cache-board-50", "task.update")).isEmpty();
    }
  }

  @Test
  void a_cache_channel_whose_room_has_no_recent_server_event_gets_a_cache_miss() {
    try (PusherJsClient carol = PusherJsClient.connect(node)) {
      carol.subscribe("cache-public-quiet");
      carol.awaitEvent("cache-public-quiet", "pusher:subscription_succeeded");
      carol.awaitEvent("cache-public-quiet", "pusher:cache_miss");

      trigger("public-quiet", "first.news", "now");
      assertThat(carol.awaitEvent("cache-public-quiet", "first.news").getString("data")).isEqualTo("now");
    }
  }
}
