package io.parley.cluster;

import io.parley.shared.FailureLog;
import io.parley.rooms.RedisRoomStore;
import io.parley.rooms.RoomStore;
import io.parley.rooms.RoomsOptions;
import io.parley.shared.Addresses;
import io.parley.shared.Await;
import io.parley.shared.Failure;
import io.parley.shared.TestRedis;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node closes its sockets (4005 {@code node_evicted}) only when the cluster declared it dead,
 * never because Redis forgot its lease: a Redis restarted without persistence is empty, and
 * the node then puts its connections back in their rooms with their sockets left open.
 */
class NodeEvictionTest {

  private static final String ROOM = "board-evict";

  private final String prefix = TestRedis.freshPrefix();
  private TestNode node;

  @BeforeEach
  void start() {
    node = TestNode.start(new JsonObject().put("redis", new JsonObject().put("uri", TestNode.REDIS_URI).put("prefix", prefix)));
  }

  @AfterEach
  void stop() {
    node.close();
    TestRedis.deleteKeys(prefix);
  }

  @Test
  void a_node_that_another_node_evicted_closes_every_socket_with_4005() {
    try (BridgeClient tab = node.signIn("eve", boards("evict"), UUID.randomUUID().toString(), BridgeClient.Transport.RAW)) {
      tab.join(ROOM);

      // another node whose clock says this node's lease ran out long ago claims it
      Redis redis = TestRedis.connect(node.vertx());
      RoomStore other = Await.result(RedisRoomStore.create(node.vertx(), redis, TestRedis.options(), prefix,
        Clock.offset(Clock.systemUTC(), Duration.ofHours(1)), new RoomsOptions.HistoryPolicy(500, 600_000, true), envelope -> {
        }, FailureLog.fallback()));
      try {
        assertThat(Await.result(other.evictExpiredNodes())).extracting(d -> d.member().userId()).containsExactly("eve");

        assertThat(tab.awaitClosed()).isEqualTo(4005);
      } finally {
        Await.result(other.close());
        redis.close();
      }
    }
  }

  @Test
  void a_node_whose_redis_forgot_everything_keeps_its_sockets_and_puts_them_back_in_their_rooms() {
    try (BridgeClient tab = node.signIn("ray", boards("evict"), UUID.randomUUID().toString(), BridgeClient.Transport.RAW);
         BridgeClient other = node.signIn("rex", boards("evict"))) {
      tab.join(ROOM);
      other.join(ROOM);

      forgetEverything();

      JsonObject state = other.awaitState(ROOM, s -> BridgeClient.connectionsOf(s, "ray") == 1 && BridgeClient.connectionsOf(s, "rex") == 1);
      assertThat(state.getJsonArray("members")).hasSize(2);
      tab.request("rooms.publish", new JsonObject().put("room", ROOM).put("event", "task.update").put("data", "still here"));
      assertThat(tab.isClosed()).as("ray's socket").isFalse();
      assertThat(other.isClosed()).as("rex's socket").isFalse();
    }
  }

  @Test
  void a_connection_whose_rejoin_failed_asks_again() throws Exception {
    try (BridgeClient tab = node.signIn("ria", boards("evict"));
         BridgeClient other = node.signIn("rob", boards("evict"))) {
      tab.join(ROOM);
      other.join(ROOM);
      // a second rooms.join handler that fails: requests alternate between the two, so one of
      // the two rejoins fails, as it would if the store went away again meanwhile
      AtomicInteger refused = new AtomicInteger();
      MessageConsumer<Object> failing = node.vertx().eventBus().consumer(Addresses.ROOMS_JOIN, message -> {
        refused.incrementAndGet();
        message.fail(Failure.UNAVAILABLE, "room store unavailable; try again");
      });
      failing.completion().await(10, TimeUnit.SECONDS);

      forgetEverything();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (refused.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(refused.get()).as("rejoins refused").isPositive();
      failing.unregister().await(10, TimeUnit.SECONDS);

      other.awaitState(ROOM, s -> BridgeClient.connectionsOf(s, "ria") == 1 && BridgeClient.connectionsOf(s, "rob") == 1);
    }
  }

  /** Leaves what a Redis restarted without persistence holds: nothing, in one step, as a restart would. */
  private void forgetEverything() {
    Redis redis = TestRedis.connect(node.vertx());
    try {
      Await.result(redis.send(Request.cmd(Command.EVAL)
        .arg("for _, key in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', key) end").arg(0).arg(prefix + "*")));
    } finally {
      redis.close();
    }
  }
}
