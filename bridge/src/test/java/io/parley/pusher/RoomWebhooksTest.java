package io.parley.pusher;

import io.parley.shared.TestRedis;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The webhooks of a room's transitions, on a node with Redis stores and a real receiver:
 * {@code channel_occupied} / {@code member_added} when the first member and a user's first
 * connection arrive, {@code member_removed} / {@code channel_vacated} 3 s after they are gone, and
 * nothing at all for a return within those 3 s. The members are bridge users, and Pusher-style
 * subscriptions that name their channel in {@code rooms.join} as the websocket side does.
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
        .put("id", "app-1").put("key", "key-1").put("secret", SECRET)
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
  void occupancy_names_the_channel_the_deciding_subscription_joined_with() {
    PusherSubscription dora = new PusherSubscription("dora", UUID.randomUUID().toString(), "board-w5", "presence-board-w5", "pusher-node");
    dora.join(node.vertx());

    assertThat(events(receiver.next(2))).containsExactlyInAnyOrder(
      new JsonObject().put("name", "channel_occupied").put("channel", "presence-board-w5"),
      new JsonObject().put("name", "member_added").put("channel", "presence-board-w5").put("user_id", "dora"));

    dora.leave(node.vertx());

    assertThat(events(receiver.next(2))).containsExactlyInAnyOrder(
      new JsonObject().put("name", "member_removed").put("channel", "presence-board-w5").put("user_id", "dora"),
      new JsonObject().put("name", "channel_vacated").put("channel", "presence-board-w5"));
  }

  private static List<JsonObject> events(List<WebhookReceiver.Received> webhooks) {
    return WebhookReceiver.signedEvents("key-1", SECRET, webhooks);
  }

  private List<WebhookReceiver.Received> untilMarker() {
    return receiver.untilMarker(node.vertx(), "app-1");
  }
}
