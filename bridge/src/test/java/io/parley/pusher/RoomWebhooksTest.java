package io.parley.pusher;

import io.parley.shared.TestRedis;
import io.parley.testing.BridgeClient;
import io.parley.testing.PusherJsClient;
import io.parley.testing.TestNode;
import io.parley.testing.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhooks of a room's transitions, on a node with Redis stores and a real receiver:
 * {@code channel_occupied} / {@code member_added} when the first member and a user's first
 * connection arrive, {@code member_removed} / {@code channel_vacated} 3 s after they are gone, and
 * nothing at all for a return within those 3 s; and what a Pusher socket causes itself
 * ({@code client_event}, {@code cache_miss}). The members are bridge users and pusher-js clients.
 */
class RoomWebhooksTest {

  private static final String SECRET = "room-webhooks-secret";
  private static final long WINDOW_MS = 3_000;

  private final String prefix = TestRedis.freshPrefix();
  private WebhookReceiver receiver;
  private TestNode node;

  @BeforeEach
  void start() {
    receiver = WebhookReceiver.start();
    node = TestNode.start(new JsonObject()
      .put("redis", new JsonObject().put("uri", TestNode.REDIS_URI).put("prefix", prefix))
      .put("pusher", new JsonObject().put("apps", new JsonArray().add(new JsonObject()
        .put("id", "app-1").put("key", "key-1").put("secret", SECRET).put("clientEvents", true)
        .put("webhooks", new JsonArray().add(new JsonObject().put("url", receiver.url())))))));
  }

  @AfterEach
  void stop() {
    node.close();
    receiver.close();
    TestRedis.deleteKeys(prefix);
  }

  @Test
  void the_first_member_occupies_the_channel_and_each_users_first_connection_is_a_member_added() {
    try (BridgeClient ann = node.signIn("ann", boards("w1")); BridgeClient annAgain = node.signIn("ann", boards("w1"));
         BridgeClient bob = node.signIn("bob", boards("w1"))) {
      ann.join("board-w1");

      assertThat(events(receiver.next(2))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "channel_occupied").put("channel", "board-w1"),
        new JsonObject().put("name", "member_added").put("channel", "presence-board-w1").put("user_id", "ann"));

      annAgain.join("board-w1");
      bob.join("board-w1");

      assertThat(events(receiver.next(1))).containsExactly(
        new JsonObject().put("name", "member_added").put("channel", "presence-board-w1").put("user_id", "bob"));
      assertThat(untilMarker()).as("ann's second tab and bob's join occupied nothing").isEmpty();
    }
  }

  @Test
  void a_member_gone_for_good_is_removed_and_the_channel_vacated_three_seconds_later() {
    try (BridgeClient ann = node.signIn("ann", boards("w2")); BridgeClient bob = node.signIn("bob", boards("w2"))) {
      ann.join("board-w2");
      bob.join("board-w2");
      receiver.next(3);

      long bobLeft = System.nanoTime();
      bob.unregister("room.board-w2");
      WebhookReceiver.Received removed = receiver.next();
      assertThat(removed.event()).isEqualTo(
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-w2").put("user_id", "bob"));
      assertThat(TimeUnit.NANOSECONDS.toMillis(removed.arrivedAtNanos() - bobLeft)).isBetween(WINDOW_MS, WINDOW_MS + 2_000);

      long annLeft = System.nanoTime();
      ann.close();
      List<WebhookReceiver.Received> last = receiver.next(2);
      assertThat(events(last)).containsExactlyInAnyOrder(
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-w2").put("user_id", "ann"),
        new JsonObject().put("name", "channel_vacated").put("channel", "board-w2"));
      assertThat(last).allSatisfy(webhook ->
        assertThat(TimeUnit.NANOSECONDS.toMillis(webhook.arrivedAtNanos() - annLeft)).isBetween(WINDOW_MS, WINDOW_MS + 2_000));
    }
  }

  @Test
  void a_return_within_three_seconds_sends_neither_the_departure_nor_the_arrival() {
    try (BridgeClient ann = node.signIn("ann", boards("w3", "w4")); BridgeClient carol = node.signIn("carol", boards("w3", "w4"))) {
      ann.join("board-w3");
      carol.join("board-w4");
      receiver.next(4);

      ann.unregister("room.board-w3");
      ann.awaitState("board-w3", state -> BridgeClient.connectionsOf(state, "ann") == 0);
      ann.join("board-w3");
      // carol's departure is due after ann's would have been: when it arrives, ann's would have too
      carol.unregister("room.board-w4");

      assertThat(events(receiver.next(2))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-w4").put("user_id", "carol"),
        new JsonObject().put("name", "channel_vacated").put("channel", "board-w4"));
      assertThat(untilMarker()).as("nothing of ann's leave and return").isEmpty();
    }
  }

  @Test
  void occupancy_names_the_channel_the_deciding_pusher_subscription_joined_with() {
    try (PusherJsClient dora = pusherJs()) {
      dora.awaitConnected();
      dora.subscribe("presence-board-w5", new JsonObject().put("user_id", "dora").put("user_info", new JsonObject()));
      dora.awaitEvent("presence-board-w5", "pusher:subscription_succeeded");

      assertThat(events(receiver.next(2))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "channel_occupied").put("channel", "presence-board-w5"),
        new JsonObject().put("name", "member_added").put("channel", "presence-board-w5").put("user_id", "dora"));

      dora.unsubscribe("presence-board-w5");

      assertThat(events(receiver.next(2))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-w5").put("user_id", "dora"),
        new JsonObject().put("name", "channel_vacated").put("channel", "presence-board-w5"));
    }
  }

  @Test
  void a_subscriber_without_a_user_occupies_and_vacates_its_channel_but_is_no_member() {
    try (PusherJsClient carol = pusherJs()) {
      carol.awaitConnected();
      carol.subscribe("public-w6");
      carol.awaitEvent("public-w6", "pusher:subscription_succeeded");

      assertThat(events(receiver.next(1))).containsExactly(new JsonObject().put("name", "channel_occupied").put("channel", "public-w6"));
      carol.unsubscribe("public-w6");
      assertThat(events(receiver.next(1))).containsExactly(new JsonObject().put("name", "channel_vacated").put("channel", "public-w6"));
      assertThat(untilMarker()).as("no member_added or member_removed for a socket without a user").isEmpty();
    }
  }

  @Test
  void a_client_event_and_a_cache_miss_are_webhooks_of_the_socket_that_caused_them() {
    try (PusherJsClient eve = pusherJs()) {
      String socket = eve.awaitConnected();
      eve.subscribe("private-w7");
      eve.awaitEvent("private-w7", "pusher:subscription_succeeded");
      receiver.next(1); // channel_occupied

      eve.trigger("private-w7", "client-typing", new JsonObject().put("on", true));
      assertThat(events(receiver.next(1))).containsExactly(new JsonObject().put("name", "client_event").put("channel", "private-w7")
        .put("event", "client-typing").put("data", "{\"on\":true}").put("socket_id", socket));

      eve.subscribe("private-cache-w8");
      eve.awaitEvent("private-cache-w8", "pusher:cache_miss");
      assertThat(events(receiver.next(2))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "channel_occupied").put("channel", "private-cache-w8"),
        new JsonObject().put("name", "cache_miss").put("channel", "private-cache-w8"));
    }
  }

  private PusherJsClient pusherJs() {
    return PusherJsClient.connect(node.port(), "key-1", "app-1", SECRET);
  }

  private static List<JsonObject> events(List<WebhookReceiver.Received> webhooks) {
    return WebhookReceiver.signedEvents("key-1", SECRET, webhooks);
  }

  private List<WebhookReceiver.Received> untilMarker() {
    return receiver.untilMarker(node.vertx(), "app-1");
  }
}
