package io.parley.notifications;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.parley.testing.TestNode.HttpResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notifications on one node with the embedded default stores, over real SockJS sockets and
 * the real HTTP API: subscribe, deliver to every subscribed tab but the one
 * that caused it, and refuse bad input without storing anything.
 */
class NotificationsOverBridgeTest {

  private static final String API_KEY = "dev-api-key";
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(new JsonObject()
      .put("notifications", new JsonObject().put("maxTopicsPerSession", 3).put("maxDataBytes", 1024))
      .put("auth", new JsonObject().put("timeoutMs", 1_000)));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void every_subscribed_tab_receives_a_published_notification_except_the_tab_that_caused_it() {
    try (NotificationTab joe = new NotificationTab(node, "joe");
         NotificationTab sam = new NotificationTab(node, "sam");
         NotificationTab samOtherTab = new NotificationTab(node, "sam")) {
      joe.subscribe("Pet");
      sam.subscribe("Pet");
      samOtherTab.subscribe("Pet");

      long id = publish("Pet", new JsonObject().put("name", "Rex"), joe.sessionId);
      long next = publish("Pet", "after", null);

      JsonObject received = sam.nextNotification();
      assertThat(received.getLong("id")).isEqualTo(id);
      assertThat(received.getString("topic")).isEqualTo("Pet");
      assertThat(received.getJsonObject("data")).isEqualTo(new JsonObject().put("name", "Rex"));
      assertThat(received.getLong("ts")).isPositive();
      assertThat(samOtherTab.nextNotification().getLong("id")).as("each tab is its own session").isEqualTo(id);
      assertThat(joe.nextNotification().getLong("id")).as("no echo to the origin session").isEqualTo(next);
    }
  }

  @Test
  void subscribe_and_unsubscribe_answer_all_of_the_sessions_topics_and_unsubscribed_topics_stop() {
    try (NotificationTab tab = new NotificationTab(node, "una")) {
      assertThat(tab.subscribe("Pet", "Order")).containsExactly("Order", "Pet");
      assertThat(tab.subscribe("Customer")).containsExactly("Customer", "Order", "Pet");
      assertThat(tab.unsubscribe("Pet", "Order")).containsExactly("Customer");

      publish("Pet", 1, null);
      long customer = publish("Customer", 2, null);

      assertThat(tab.nextNotification().getLong("id")).isEqualTo(customer);
    }
  }

  @Test
  void server_code_publishes_through_the_realtime_service() throws Exception {
    try (NotificationTab tab = new NotificationTab(node, "rita")) {
      tab.subscribe("invoice:7");

      long id = node.node().realtime().notifyTopic("invoice:7", new JsonObject().put("paid", true), null)
        .await(5, TimeUnit.SECONDS);

      JsonObject received = tab.nextNotification();
      assertThat(received.getLong("id")).isEqualTo(id);
      assertThat(received.getJsonObject("data").getBoolean("paid")).isTrue();
    }
  }

  @Test
  void bad_subscriptions_are_refused_with_400_and_change_nothing() {
    try (NotificationTab tab = new NotificationTab(node, "bea")) {
      tab.subscribe("Pet");
      BridgeClient client = tab.client;

      assertThat(subscribeCode(client, new JsonArray())).as("no topic").isEqualTo(400);
      assertThat(subscribeCode(client, new JsonArray().add(""))).as("empty topic").isEqualTo(400);
      assertThat(subscribeCode(client, new JsonArray().add("x".repeat(129)))).as("oversized topic").isEqualTo(400);
      assertThat(subscribeCode(client, new JsonArray().add("has space"))).as("bad characters").isEqualTo(400);
      assertThat(subscribeCode(client, new JsonArray().add("a").add("b").add("c"))).as("4 topics, 3 allowed").isEqualTo(400);
      assertThat(subscribeCode(client, new JsonArray().add(7))).as("not a string").isEqualTo(400);
      assertThat(client.requestCode("notifications.subscribe", new JsonObject().put("topics", "Pet"))).isEqualTo(400);
      assertThat(client.requestCode("notifications.since", new JsonObject().put("sinceId", -1))).isEqualTo(400);

      assertThat(tab.unsubscribe("Nothing")).as("still just the one topic").containsExactly("Pet");
    }
  }

  @Test
  void bad_publishes_are_refused_and_store_nothing() {
    try (NotificationTab tab = new NotificationTab(node, "bill")) {
      tab.subscribe("Pet");

      assertThat(node.post("/api/notifications", "{not json", API_KEY).status()).isEqualTo(400);
      assertThat(node.post("/api/notifications", "[1,2]", API_KEY).status()).isEqualTo(400);
      assertThat(post(new JsonObject().put("topic", "Pet")).status()).as("no data").isEqualTo(400);
      assertThat(post(new JsonObject().put("topic", "Pet").putNull("data")).status()).as("null data").isEqualTo(400);
      assertThat(post(new JsonObject().put("topic", "").put("data", 1)).status()).as("empty topic").isEqualTo(400);
      assertThat(post(new JsonObject().put("topic", "P".repeat(129)).put("data", 1)).status()).as("oversized topic").isEqualTo(400);
      assertThat(post(new JsonObject().put("data", 1)).status()).as("no topic").isEqualTo(400);
      assertThat(post(new JsonObject().put("topic", "Pet").put("data", "x".repeat(2000))).status()).as("too large").isEqualTo(413);
      HttpResult refused = post(new JsonObject().put("topic", "Pet").put("data", 1).put("originSessionId", 5));
      assertThat(refused.status()).as("origin not a string").isEqualTo(400);
      assertThat(refused.json().getString("error")).contains("originSessionId");
      assertThat(node.post("/api/notifications", new JsonObject().put("topic", "Pet").put("data", 1), "wrong-key").status())
        .isEqualTo(401);

      assertThat(tab.replayedIds(0)).as("nothing was stored").isEmpty();
      long good = publish("Pet", "fine", null);
      assertThat(tab.nextNotification().getLong("id")).as("and nothing was delivered").isEqualTo(good);
    }
  }

  @Test
  void clients_cannot_publish_notifications_or_read_another_sessions_topics() {
    try (NotificationTab tab = new NotificationTab(node, "mallory")) {
      assertThat(tab.client.requestCode("notifications.publish", new JsonObject().put("topic", "Pet").put("data", 1)))
        .isEqualTo(403);
      assertThat(tab.client.requestCode("notifications.topics", new JsonObject().put("sessionId", tab.sessionId)))
        .isEqualTo(403);
      String someoneElse = UUID.randomUUID().toString();
      tab.client.request("notifications.subscribe", new JsonObject().put("topics", new JsonArray().add("Pet")),
        new JsonObject().put("sessionId", someoneElse).put("userId", "joe"));
      assertThat(tab.unsubscribe("Nothing")).as("the bridge's identity headers win: its own session subscribed").containsExactly("Pet");
    }
  }

  @Test
  void an_unauthenticated_socket_receives_nothing_and_is_closed_at_the_auth_deadline() {
    try (NotificationTab sam = new NotificationTab(node, "sam2");
         BridgeClient stranger = node.connect()) {
      sam.subscribe("Pet");

      assertThat(stranger.requestCode("notifications.subscribe", new JsonObject().put("topics", new JsonArray().add("Pet"))))
        .isEqualTo(401);
      stranger.register(NotificationTab.clientRoom(sam.sessionId));
      assertThat(stranger.nextRefusal(NotificationTab.clientRoom(sam.sessionId)).getInteger("failureCode")).isEqualTo(401);
      long id = publish("Pet", "for subscribers", null);

      assertThat(sam.nextNotification().getLong("id")).isEqualTo(id);
      stranger.awaitClosed();
      assertThat(stranger.pendingOn(NotificationTab.clientRoom(sam.sessionId))).as("nothing delivered to it").isEmpty();
    }
  }

  private static int subscribeCode(BridgeClient client, JsonArray topics) {
    return client.requestCode("notifications.subscribe", new JsonObject().put("topics", topics));
  }

  private static HttpResult post(JsonObject body) {
    return node.post("/api/notifications", body, API_KEY);
  }

  static long publish(String topic, Object data, String originSessionId) {
    return publish(node, topic, data, originSessionId);
  }

  /** {@code POST /api/notifications} on {@code node}; the stored notification's id. */
  static long publish(TestNode node, String topic, Object data, String originSessionId) {
    HttpResult result = node.post("/api/notifications",
      new JsonObject().put("topic", topic).put("data", data).put("originSessionId", originSessionId), API_KEY);
    assertThat(result.status()).as(result.body()).isEqualTo(202);
    return result.json().getLong("id");
  }
}
