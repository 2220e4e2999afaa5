package io.parley.notifications;

import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.parley.notifications.NotificationsOverBridgeTest.publish;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Notifications on two nodes of a real Hazelcast cluster on loopback, with Postgres and Redis
 * stores: a tab gets what any node publishes, keeps its subscriptions when it
 * reconnects to the other node, and replays what it missed.
 */
class NotificationsClusterTest {

  private static TestNode a;
  private static TestNode b;

  @BeforeAll
  static void start_two_nodes() throws IOException {
    String cluster = "notify-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = {TestNode.freePort(), TestNode.freePort()};
    a = TestNode.startClustered(cluster, ports[0], TestNode.members(ports), new JsonObject());
    b = TestNode.startClustered(cluster, ports[1], TestNode.members(ports), new JsonObject());
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  @Test
  void a_subscriber_on_one_node_gets_what_is_published_on_the_other_and_the_origin_does_not() {
    try (NotificationTab sam = new NotificationTab(a, "sam");
         NotificationTab joe = new NotificationTab(a, "joe");
         NotificationTab kim = new NotificationTab(b, "kim")) {
      sam.subscribe("Pet");
      joe.subscribe("Pet");
      kim.subscribe("Pet");

      long update = publish(b, "Pet", new JsonObject().put("id", 1).put("name", "Rex"), joe.sessionId);
      long marker = publish(b, "Pet", "marker", null);

      assertThat(sam.nextNotification().getLong("id")).isEqualTo(update);
      assertThat(kim.nextNotification().getLong("id")).isEqualTo(update);
      assertThat(joe.nextNotification().getLong("id")).as("joe's own update is not echoed").isEqualTo(marker);
      assertThat(sam.nextNotification().getLong("id")).as("once each").isEqualTo(marker);
    }
  }

  @Test
  void a_tab_reconnecting_to_the_other_node_keeps_its_subscriptions_and_replays_what_it_missed() {
    String sessionId = UUID.randomUUID().toString();
    long seen;
    try (NotificationTab tab = new NotificationTab(a, "ann", sessionId)) {
      assertThat(tab.principal.getBoolean("resumed")).isFalse();
      tab.subscribe("Order");
      seen = tab.nextNotificationAfter(() -> publish(a, "Order", "first", null));
    }
    long missed1 = publish(a, "Order", "while away 1", null);
    long missed2 = publish(b, "Order", "while away 2", null);

    try (NotificationTab again = new NotificationTab(b, "ann", sessionId)) {
      assertThat(again.principal.getBoolean("resumed")).isTrue();
      long later = publish(a, "Order", "after the reconnect", null);

      assertThat(again.nextNotification().getLong("id")).as("no resubscribe needed").isEqualTo(later);
      JsonObject replay = again.since(seen);
      assertThat(replay.getJsonArray("notifications").stream().map(n -> ((JsonObject) n).getLong("id")).toList())
        .containsExactly(missed1, missed2, later);
      assertThat(replay.getJsonArray("notifications").getJsonObject(0).getString("data")).isEqualTo("while away 1");
      assertThat(replay.getBoolean("complete")).isTrue();
      assertThat(replay.getBoolean("more")).isFalse();
    }
  }

  @Test
  void a_listen_connection_sees_every_stored_notification() throws Exception {
    PgConnectOptions options = PgConnectOptions.fromUri(io.parley.shared.TestPostgres.URI)
      .addProperty("search_path", a.schema());
    PgConnection listener = PgConnection.connect(a.vertx(), options).await(10, TimeUnit.SECONDS);
    LinkedBlockingQueue<JsonObject> heard = new LinkedBlockingQueue<>();
    try {
      listener.notificationHandler(n -> heard.add(new JsonObject(n.getPayload())));
      listener.query("LISTEN parley_notifications").execute().await(10, TimeUnit.SECONDS);
      String origin = UUID.randomUUID().toString();
      List<Long> published = List.of(
        publish(a, "Invoice", 1, origin),
        publish(b, "Invoice", 2, null),
        publish(b, "Shipment", 3, null));

      // other tests share the channel: keep this test's ids
      List<JsonObject> mine = new ArrayList<>();
      while (mine.size() < published.size()) {
        JsonObject next = heard.poll(10, TimeUnit.SECONDS);
        assertThat(next).as("a NOTIFY for every stored notification").isNotNull();
        if (published.contains(next.getLong("id")) && Set.of("Invoice", "Shipment").contains(next.getString("topic"))) {
          mine.add(next);
        }
      }
      assertThat(mine.stream().map(n -> n.getLong("id")).toList()).containsExactlyInAnyOrderElementsOf(published);
      assertThat(mine.stream().filter(n -> n.getLong("id").equals(published.get(0))).findFirst().orElseThrow()
        .getString("originSessionId")).isEqualTo(origin);
    } finally {
      listener.close().await(10, TimeUnit.SECONDS);
    }
  }
}
