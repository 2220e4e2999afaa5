package io.parley.cluster;

import io.parley.testing.PusherJsClient;
import io.parley.testing.SignedCall;
import io.parley.testing.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clustered node processes sharing Redis, with pusher-js clients on both: presence and channel
 * counts are exact from either node and each webhook arrives once; when one node is killed
 * ({@code kill -9}), within 10 s (default settings) the clients on the other see
 * {@code pusher:member_removed} for each user who was only on the dead node, and the app's webhook
 * gets one {@code member_removed} per such user and one {@code channel_vacated} per room they
 * alone occupied, signed.
 */
class PusherNodeKillIT {

  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);
  private static final String APP = "kill-app";
  private static final String KEY = "kill-key";
  private static final String SECRET = "kill-app-secret";
  /** ann (node A), bob (node B) and both (a socket on each node). */
  private static final String SHARED = "presence-board-k1";
  /** bob and cyd, both on node B only. */
  private static final String ONLY_B = "presence-board-k2";

  private final NodeProcesses nodes = new NodeProcesses("pusher-kill");
  private final WebhookReceiver receiver = WebhookReceiver.start();
  private final List<PusherJsClient> clients = new ArrayList<>();
  private int markers;

  @AfterEach
  void stop() throws Exception {
    clients.forEach(PusherJsClient::close);
    nodes.close();
    receiver.close();
  }

  @Test
  void the_users_of_a_killed_node_are_removed_within_ten_seconds_with_one_webhook_each() throws Exception {
    JsonArray apps = new JsonArray().add(new JsonObject().put("id", APP).put("key", KEY).put("secret", SECRET)
      .put("clientEvents", true).put("webhooks", new JsonArray().add(new JsonObject().put("url", receiver.url()))));
    List<NodeProcesses.Node> started = nodes.start(2, Map.of("PARLEY_PUSHER_APPS", apps.encode()));
    NodeProcesses.Node a = started.get(0);
    NodeProcesses.Node b = started.get(1);

    // ann on node A, bob and cyd on node B, both on each
    PusherJsClient ann = subscribed(a, "ann", SHARED);
    PusherJsClient bothOnA = subscribed(a, "both", SHARED);
    subscribed(b, "both", SHARED);
    PusherJsClient bob = subscribed(b, "bob", SHARED);
    bob.subscribe(ONLY_B, user("bob"));
    bob.awaitEvent(ONLY_B, "pusher:subscription_succeeded");
    subscribed(b, "cyd", ONLY_B);
    assertThat(bob.awaitEvent(ONLY_B, "pusher:member_added").getJsonObject("data").getString("id")).isEqualTo("cyd");

    assertThat(ann.awaitEvent(SHARED, "pusher:member_added").getJsonObject("data").getString("id")).isEqualTo("both");
    assertThat(ann.awaitEvent(SHARED, "pusher:member_added").getJsonObject("data").getString("id")).isEqualTo("bob");
    assertThat(memberIds(ann.members(SHARED))).as("pusher-js on node A").containsExactlyInAnyOrder("ann", "both", "bob");
    assertThat(memberIds(bob.members(SHARED))).as("pusher-js on node B").containsExactlyInAnyOrder("ann", "both", "bob");
    assertThat(memberIds(bob.members(ONLY_B))).containsExactlyInAnyOrder("bob", "cyd");
    for (NodeProcesses.Node node : started) {
      assertThat(channel(node, SHARED)).as("asked of node %s", node.port())
        .isEqualTo(new JsonObject().put("occupied", true).put("user_count", 3).put("subscription_count", 4));
      assertThat(users(node, SHARED)).containsExactlyInAnyOrder("ann", "both", "bob");
      assertThat(channel(node, ONLY_B)).isEqualTo(new JsonObject().put("occupied", true).put("user_count", 2).put("subscription_count", 2));
      assertThat(users(node, ONLY_B)).containsExactlyInAnyOrder("bob", "cyd");
    }
    assertThat(events(receiver.next(7))).containsExactlyInAnyOrder(
      occupancy("channel_occupied", SHARED), member("member_added", SHARED, "ann"), member("member_added", SHARED, "both"),
      member("member_added", SHARED, "bob"),
      occupancy("channel_occupied", ONLY_B), member("member_added", ONLY_B, "bob"), member("member_added", ONLY_B, "cyd"));
    assertThat(untilClientEventMarker(ann)).as("no webhook twice").isEmpty();

    b.kill();   // kill -9: node B says no goodbye, node A must find out by itself
    long killedAt = System.nanoTime();

    JsonObject removed = ann.awaitEvent(SHARED, "pusher:member_removed");
    assertThat(elapsedSince(killedAt)).as("pusher:member_removed on node A after the kill").isLessThan(GONE_WITHIN);
    assertThat(removed.getJsonObject("data").getString("id")).isEqualTo("bob");
    assertThat(events(arrivedWithin(4, killedAt))).as("decided once, by node A, within %s of the kill", GONE_WITHIN)
      .containsExactlyInAnyOrder(member("member_removed", SHARED, "bob"), member("member_removed", ONLY_B, "bob"),
        member("member_removed", ONLY_B, "cyd"), occupancy("channel_vacated", ONLY_B));

    assertThat(untilDepartureMarker(ann, "ann")).as("no departure twice").isEmpty();
    // a later event in the room: a member_removed sent for both would have reached them before it
    json(SignedCall.post(a.port(), "/apps/" + APP + "/events", new JsonObject().put("name", "marker").put("data", "{}")
      .put("channel", SHARED).encode()).credentials(KEY, SECRET).send());
    ann.awaitEvent(SHARED, "marker");
    bothOnA.awaitEvent(SHARED, "marker");
    assertThat(ann.events(SHARED, "pusher:member_removed")).as("both still has a socket on node A: only bob left")
      .extracting(event -> event.getJsonObject("data").getString("id")).containsExactly("bob");
    assertThat(bothOnA.events(SHARED, "pusher:member_removed")).extracting(event -> event.getJsonObject("data").getString("id"))
      .containsExactly("bob");
    assertThat(memberIds(ann.members(SHARED))).containsExactlyInAnyOrder("ann", "both");
    assertThat(channel(a, SHARED)).isEqualTo(new JsonObject().put("occupied", true).put("user_count", 2).put("subscription_count", 2));
    assertThat(users(a, SHARED)).containsExactlyInAnyOrder("ann", "both");
    assertThat(channel(a, ONLY_B)).isEqualTo(new JsonObject().put("occupied", false).put("user_count", 0).put("subscription_count", 0));
    assertThat(users(a, ONLY_B)).isEmpty();
  }

  /** A pusher-js client on {@code node}, subscribed to {@code channel} as {@code userId}. */
  private PusherJsClient subscribed(NodeProcesses.Node node, String userId, String channel) {
    PusherJsClient client = PusherJsClient.connect(node.port(), KEY, APP, SECRET);
    clients.add(client);
    client.awaitConnected();
    client.subscribe(channel, user(userId));
    client.awaitEvent(channel, "pusher:subscription_succeeded");
    return client;
  }

  private static JsonObject user(String id) {
    return new JsonObject().put("user_id", id).put("user_info", new JsonObject().put("name", id));
  }

  /** The ids in pusher-js's {@code channel.members}, whose {@code count} must agree. */
  private static List<String> memberIds(JsonObject members) {
    List<String> ids = List.copyOf(members.getJsonObject("members").fieldNames());
    assertThat(members.getInteger("count")).as("pusher-js's count of %s", ids).isEqualTo(ids.size());
    return ids;
  }

  private static JsonObject channel(NodeProcesses.Node node, String channel) {
    return json(SignedCall.get(node.port(), "/apps/" + APP + "/channels/" + channel).credentials(KEY, SECRET)
      .param("info", "user_count,subscription_count").send());
  }

  private static List<String> users(NodeProcesses.Node node, String channel) {
    return json(SignedCall.get(node.port(), "/apps/" + APP + "/channels/" + channel + "/users").credentials(KEY, SECRET).send())
      .getJsonArray("users").stream().map(JsonObject.class::cast).map(user -> user.getString("id")).toList();
  }

  private static JsonObject json(SignedCall.Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return new JsonObject(answer.body());
  }

  private static JsonObject occupancy(String name, String channel) {
    return new JsonObject().put("name", name).put("channel", channel);
  }

  private static JsonObject member(String name, String channel, String userId) {
    return occupancy(name, channel).put("user_id", userId);
  }

  /** The events of {@code webhooks}, each checked to be signed with the app's secret. */
  private static List<JsonObject> events(List<WebhookReceiver.Received> webhooks) {
    return WebhookReceiver.signedEvents(KEY, SECRET, webhooks);
  }

  private static Duration elapsedSince(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }

  /** The next {@code count} webhooks, all arrived within 10 s of {@code sinceNanos}. */
  private List<WebhookReceiver.Received> arrivedWithin(int count, long sinceNanos) {
    List<WebhookReceiver.Received> arrived = new ArrayList<>();
    while (arrived.size() < count) {
      Duration left = GONE_WITHIN.minus(elapsedSince(sinceNanos));
      if (left.isNegative() || left.isZero()) {
        throw new AssertionError("only " + arrived.size() + " of " + count + " webhooks within " + GONE_WITHIN + ": " + arrived);
      }
      arrived.add(receiver.next(left));
    }
    return arrived;
  }

  /**
   * {@code client} triggers a client event, whose webhook is queued at once: answers the webhooks
   * that arrived before it, so anything queued earlier (an arrival sent twice) is among them.
   */
  private List<WebhookReceiver.Received> untilClientEventMarker(PusherJsClient client) {
    String marker = "client-marker-" + ++markers;
    client.trigger(SHARED, marker, new JsonObject());
    List<WebhookReceiver.Received> before = new ArrayList<>();
    for (WebhookReceiver.Received next = receiver.next(); !marker.equals(next.event().getString("event")); next = receiver.next()) {
      before.add(next);
    }
    return before;
  }

  /**
   * {@code client} ({@code userId}) enters and leaves a channel of its own: its departure waits as
   * every departure does, so a departure decided before it (the killed node's users removed twice)
   * arrives before it. Answers the webhooks that arrived meanwhile, the marker's own four left out.
   */
  private List<WebhookReceiver.Received> untilDepartureMarker(PusherJsClient client, String userId) {
    String channel = "presence-board-marker-" + ++markers;
    client.subscribe(channel, user(userId));
    client.awaitEvent(channel, "pusher:subscription_succeeded");
    client.unsubscribe(channel);
    List<JsonObject> ownLeft = new ArrayList<>(List.of(occupancy("channel_occupied", channel), member("member_added", channel, userId),
      member("member_removed", channel, userId), occupancy("channel_vacated", channel)));
    List<WebhookReceiver.Received> before = new ArrayList<>();
    while (!ownLeft.isEmpty()) {
      WebhookReceiver.Received next = receiver.next();
      if (!ownLeft.remove(next.event())) {
        before.add(next);
      }
    }
    return before;
  }
}
