package io.parley.pusher;

import io.parley.rooms.RedisRoomStore;
import io.parley.rooms.RoomStore;
import io.parley.rooms.RoomsOptions;
import io.parley.shared.Await;
import io.parley.shared.FailureLog;
import io.parley.shared.TestRedis;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.parley.testing.WebhookReceiver;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes in a real Hazelcast cluster sharing Redis, both configured with the same webhook: each
 * transition is decided once for the cluster, so each webhook arrives once, whichever nodes the
 * members are on and however their joins and leaves race; the members of a node that died, or that
 * shut down, are removed once.
 */
class WebhooksClusterTest {

  private static final String SECRET = "cluster-webhooks-secret";
  private static final long LEASE_MS = 1_000;

  private static final List<TestNode> nodes = new ArrayList<>();
  private static final int[] ports = {TestNode.freePort(), TestNode.freePort(), TestNode.freePort()};
  private static final String cluster = "webhooks-" + UUID.randomUUID().toString().substring(0, 8);
  private static WebhookReceiver receiver;
  private static JsonObject config;

  @BeforeAll
  static void start_two_nodes() {
    receiver = WebhookReceiver.start();
    config = new JsonObject()
      .put("rooms", new JsonObject().put("nodeLeaseMs", LEASE_MS))
      .put("pusher", new JsonObject().put("apps", new JsonArray().add(new JsonObject()
        .put("id", "app-1").put("key", "key-1").put("secret", SECRET)
        .put("webhooks", new JsonArray().add(new JsonObject().put("url", receiver.url()))))));
    // the third port is for the node one test starts and shuts down
    for (int i = 0; i < 2; i++) {
      nodes.add(TestNode.startClustered(cluster, ports[i], TestNode.members(ports), config));
    }
  }

  @AfterAll
  static void stop() {
    nodes.forEach(TestNode::close);
    receiver.close();
  }

  @Test
  void joins_and_leaves_racing_on_two_nodes_send_each_webhook_once() throws Exception {
    List<BridgeClient> tabs = List.of(nodes.get(0).signIn("ann", boards("race")), nodes.get(1).signIn("bob", boards("race")),
      nodes.get(1).signIn("ann", boards("race")));
    try {
      atOnce(tabs, tab -> tab.join("board-race"));

      assertThat(events(receiver.next(3))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "channel_occupied").put("channel", "board-race"),
        new JsonObject().put("name", "member_added").put("channel", "presence-board-race").put("user_id", "ann"),
        new JsonObject().put("name", "member_added").put("channel", "presence-board-race").put("user_id", "bob"));
      assertThat(untilMarker()).as("no webhook twice").isEmpty();

      atOnce(tabs, BridgeClient::close);

      assertThat(events(receiver.next(3))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-race").put("user_id", "ann"),
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-race").put("user_id", "bob"),
        new JsonObject().put("name", "channel_vacated").put("channel", "board-race"));
      assertThat(untilMarker()).as("no webhook twice").isEmpty();
    } finally {
      tabs.forEach(BridgeClient::close);
    }
  }

  @Test
  void the_members_of_a_node_whose_lease_ran_out_are_removed_once() throws Exception {
    // subscriptions held by a node that takes a lease and then dies: it never renews, and both
    // live nodes race to evict it once the lease has run out
    String dead = "dead-" + UUID.randomUUID();
    Redis redis = TestRedis.connect(nodes.get(0).vertx());
    RoomStore store = Await.result(RedisRoomStore.create(nodes.get(0).vertx(), redis, TestRedis.options(), "test:" + cluster + ":",
      Clock.systemUTC(), new RoomsOptions.HistoryPolicy(500, 600_000, true), envelope -> {
      }, FailureLog.fallback()));
    try (BridgeClient sam = nodes.get(1).signIn("sam", boards("dead-b"))) {
      sam.join("board-dead-b");
      assertThat(receiver.next(2)).hasSize(2);
      Await.result(store.renewLease(dead, 60_000));
      new PusherSubscription("dee", UUID.randomUUID().toString(), "board-dead-a", "presence-board-dead-a", dead).join(nodes.get(0).vertx());
      new PusherSubscription("dan", UUID.randomUUID().toString(), "board-dead-b", "private-board-dead-b", dead).join(nodes.get(1).vertx());
      assertThat(receiver.next(3)).as("dee's room occupied, dee and dan added").hasSize(3);

      Await.result(store.renewLease(dead, 0)); // its lease runs out now, as it would a lease after its death

      assertThat(events(receiver.next(3))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-dead-a").put("user_id", "dee"),
        new JsonObject().put("name", "channel_vacated").put("channel", "presence-board-dead-a"),
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-dead-b").put("user_id", "dan"));
      assertThat(untilMarker()).as("each departure once, whichever node evicted it").isEmpty();

      sam.close();
      assertThat(receiver.next(2)).as("sam's own departure, for the next test's sake").hasSize(2);
    } finally {
      Await.result(store.close());
      redis.close();
    }
  }

  @Test
  void the_members_of_a_node_that_shuts_down_are_removed_once() {
    TestNode leaving = TestNode.startClustered(cluster, ports[2], TestNode.members(ports), config);
    try (BridgeClient eve = leaving.signIn("eve", boards("shut")); BridgeClient fay = nodes.get(0).signIn("fay", boards("shut"))) {
      fay.join("board-shut");
      eve.join("board-shut");
      BridgeClient ed = leaving.signIn("ed", boards("shut-alone"));
      ed.join("board-shut-alone");
      assertThat(receiver.next(5)).hasSize(5);

      leaving.close();

      assertThat(events(receiver.next(3))).containsExactlyInAnyOrder(
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-shut").put("user_id", "eve"),
        new JsonObject().put("name", "member_removed").put("channel", "presence-board-shut-alone").put("user_id", "ed"),
        new JsonObject().put("name", "channel_vacated").put("channel", "board-shut-alone"));
      assertThat(untilMarker()).as("each departure once").isEmpty();

      fay.close();
      assertThat(receiver.next(2)).as("fay's own departure, for the next test's sake").hasSize(2);
    }
  }

  private static List<JsonObject> events(List<WebhookReceiver.Received> webhooks) {
    return WebhookReceiver.signedEvents("key-1", SECRET, webhooks);
  }

  private static List<WebhookReceiver.Received> untilMarker() {
    return receiver.untilMarker(nodes.get(0).vertx(), "app-1");
  }

  /** Runs {@code action} on each tab from a thread of its own, released together. */
  private static void atOnce(List<BridgeClient> tabs, java.util.function.Consumer<BridgeClient> action) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tabs.size());
    try {
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<Future<?>> running = new ArrayList<>();
      for (BridgeClient tab : tabs) {
        running.add(pool.submit(() -> {
          start.await();
          action.accept(tab);
          return null;
        }));
      }
      start.countDown();
      for (Future<?> done : running) {
        done.get(20, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
