package io.parley.rooms;

import io.parley.shared.FailureLog;
import io.parley.shared.Await;
import io.parley.shared.Envelope;
import io.parley.shared.MutableClock;
import io.parley.shared.RoomName;
import io.parley.shared.TestRedis;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RedisRoomStore} against the {@link RoomStore} contract on a real Redis (see
 * {@link TestRedis}), plus what only a store shared through Redis can get wrong: the caller's
 * data surviving Lua untouched, ordering across two nodes, and a dropped subscription.
 */
class RedisRoomStoreTest extends SharedRoomStoreContract {

  private static final RoomName ROOM = RoomName.of("board-7");

  @RegisterExtension
  static final TestRedis.Fixture server = new TestRedis.Fixture();

  /** Each store's key prefix: a fresh one per store, shared with its peers. */
  private final Map<RoomStore, String> prefixes = new IdentityHashMap<>();

  @Override
  protected RoomStore createStore(RoomsOptions.HistoryPolicy policy, MutableClock clock, Consumer<EncodedEnvelope> delivery) {
    return create(server.freshPrefix(), policy, clock, delivery);
  }

  @Override
  protected RoomStore createPeer(RoomStore store, RoomsOptions.HistoryPolicy policy, MutableClock clock,
                                 Consumer<EncodedEnvelope> delivery) {
    return create(prefixes.get(store), policy, clock, delivery);
  }

  private RoomStore create(String prefix, RoomsOptions.HistoryPolicy policy, MutableClock clock,
                           Consumer<EncodedEnvelope> delivery) {
    RoomStore store = Await.result(RedisRoomStore.create(server.vertx(), server.redis(), TestRedis.options(), prefix, clock, policy, delivery,
      FailureLog.fallback()));
    prefixes.put(store, prefix);
    return store;
  }

  @Test
  void publish_keeps_the_callers_data_byte_for_byte() {
    RoomStore store = open(DEFAULT_POLICY);
    JsonObject object = new JsonObject()
      .put("emptyArray", new JsonArray())
      .put("emptyObject", new JsonObject())
      .put("nested", new JsonObject().put("list", new JsonArray().add(1).add(new JsonArray()).add(new JsonObject()
        .put("deep", new JsonArray().add("x").addNull()))))
      .put("unicode", "héllo — 日本語 🎉 \u0000\u001f \"quoted\" back\\slash\nnew line | pipe")
      .put("beyondDouble", 9_007_199_254_740_993L)
      .put("maxLong", Long.MAX_VALUE)
      .put("beyondLong", new BigInteger("123456789012345678901234567890"))
      .put("decimal", 0.1)
      .put("tiny", -1.5e-300)
      .put("flags", new JsonArray().add(true).add(false).addNull());
    List<Object> payloads = List.of(object, new JsonArray(), "just text", 12_345_678_901_234_567L);

    List<Envelope> returned = new ArrayList<>();
    for (Object data : payloads) {
      returned.add(Await.result(store.publish(ROOM, new RoomStore.Draft("item.updated", data,
        new Envelope.From("ü|ser", "s-1")))));
    }

    List<Envelope> received = delivered.awaitCount(payloads.size());
    List<Envelope> stored = history(store, ROOM, null, 0).events();
    List<String> raw = rawHistory(prefixes.get(store), ROOM);
    for (int i = 0; i < payloads.size(); i++) {
      String sent = Json.encode(payloads.get(i));
      assertThat(raw.get(i)).contains("\"data\":" + sent + ",\"ts\":");
      assertThat(Json.encode(received.get(i).data())).isEqualTo(sent);
      assertThat(Json.encode(stored.get(i).data())).isEqualTo(sent);
      assertThat(received.get(i)).isEqualTo(returned.get(i));
      assertThat(stored.get(i)).isEqualTo(returned.get(i));
    }
    assertThat(returned.get(0).data()).isEqualTo(object);
    assertThat(returned.get(1).data()).isEqualTo(new JsonArray());
    assertThat(returned.get(0).from()).isEqualTo(new Envelope.From("ü|ser", "s-1"));
  }

  @Test
  void concurrent_publishes_through_two_nodes_reach_both_nodes_in_offset_order() throws Exception {
    RoomStore nodeA = open(DEFAULT_POLICY);
    DeliverySink deliveredB = new DeliverySink();
    RoomStore nodeB = openPeer(nodeA, deliveredB);
    int threads = 4;
    int perThread = 100;

    List<Envelope> returned = runConcurrently(threads, thread -> {
      RoomStore node = thread % 2 == 0 ? nodeA : nodeB;
      List<Envelope> mine = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        mine.add(publish(node, ROOM, "item.updated"));
      }
      return mine;
    });

    List<Long> expected = LongStream.rangeClosed(1, threads * perThread).boxed().toList();
    List<Envelope> atA = delivered.awaitCount(threads * perThread);
    List<Envelope> atB = deliveredB.awaitCount(threads * perThread);
    assertThat(atA).extracting(Envelope::offset).containsExactlyElementsOf(expected);
    assertThat(atB).containsExactlyElementsOf(atA);
    assertThat(returned).containsExactlyInAnyOrderElementsOf(atA);
    assertThat(atA).extracting(Envelope::epoch).containsOnly(returned.get(0).epoch());
  }

  @Test
  void a_dropped_subscription_is_resubscribed_and_delivery_resumes() {
    RoomStore store = open(DEFAULT_POLICY);
    String name = prefixes.get(store) + "deliver";
    publish(store, ROOM, "item.created");
    delivered.awaitCount(1);
    String killed = Await.result(subscriberId(name));
    assertThat(killed).as("the store's subscriber connection, named %s", name).isNotNull();

    Await.result(server.redis().send(Request.cmd(Command.CLIENT).arg("KILL").arg("ID").arg(killed)));
    TestRedis.awaitTrue(server.vertx(), "a new subscriber connection named " + name,
      () -> subscriberId(name).map(id -> id != null && !id.equals(killed)));
    Envelope after = publish(store, ROOM, "item.updated");

    assertThat(delivered.awaitCount(2)).last().isEqualTo(after);
    assertThat(after.offset()).isEqualTo(2);
  }

  @Test
  void closing_a_store_leaves_the_shared_client_open_and_unsubscribes() {
    RoomStore store = createStore(DEFAULT_POLICY, clock, delivered);
    String prefix = prefixes.get(store);

    Await.result(store.close());

    assertThat(Await.result(server.redis().send(Request.cmd(Command.PING))).toString()).isEqualTo("PONG");
    Response subscribers = Await.result(server.redis().send(Request.cmd(Command.PUBSUB).arg("NUMSUB").arg(prefix + "deliver")));
    assertThat(subscribers.get(1).toInteger()).isZero();
  }

  @Test
  void a_room_with_members_never_expires_and_an_empty_one_expires_only_as_garbage() {
    RoomStore store = open(DEFAULT_POLICY);
    String prefix = prefixes.get(store);
    join(store, ROOM, "u1", "c1");
    publish(store, ROOM, "item.created");

    assertThat(pttl(prefix + "room:" + ROOM.value())).isEqualTo(-1);
    assertThat(pttl(prefix + "history:" + ROOM.value())).isEqualTo(-1);

    leave(store, ROOM, "c1");
    assertThat(pttl(prefix + "room:" + ROOM.value())).isGreaterThan(DEFAULT_POLICY.maxAgeMs());
    assertThat(pttl(prefix + "history:" + ROOM.value())).isGreaterThan(DEFAULT_POLICY.maxAgeMs());

    join(store, ROOM, "u2", "c2");
    assertThat(pttl(prefix + "room:" + ROOM.value())).isEqualTo(-1);
    assertThat(pttl(prefix + "history:" + ROOM.value())).isEqualTo(-1);
  }

  @Test
  void connections_leave_no_keys_behind() {
    RoomStore store = open(new RoomsOptions.HistoryPolicy(500, 600_000, false));
    String prefix = prefixes.get(store);
    Await.result(store.renewLease("node-a", 1_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");
    joinOn(store, RoomName.of("board-8"), "u1", "c1", "node-a");
    joinOn(store, ROOM, "u2", "c2", "node-b");
    Await.result(store.setActive("c2", false));
    publish(store, ROOM, "item.created");

    leave(store, ROOM, "c2");
    clock.advanceMillis(1_001);
    assertThat(Await.result(store.evictExpiredNodes())).hasSize(2);

    assertThat(keys(prefix)).as("only the eviction's mark for node-a and the room's last server event, which expire")
      .containsExactlyInAnyOrder(prefix + "evicted:node-a", prefix + "last:" + ROOM.value());
    assertThat(pttl(prefix + "evicted:node-a")).isBetween(1L, RedisRoomStore.EVICTION_MARK_TTL_MS);
    assertThat(pttl(prefix + "last:" + ROOM.value())).isPositive();
  }

  @Test
  void a_lease_that_redis_lost_without_an_eviction_is_new_and_not_an_eviction() {
    RoomStore store = open(DEFAULT_POLICY);
    Await.result(store.renewLease("node-a", 10_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");

    // what a Redis restarted without persistence looks like to the node: nothing at all
    TestRedis.deleteKeys(prefixes.get(store));

    assertThat(Await.result(store.renewLease("node-a", 10_000))).as("the node was never declared dead")
      .isEqualTo(RoomStore.Lease.NEW);
    assertThat(Await.result(store.renewLease("node-a", 10_000))).isEqualTo(RoomStore.Lease.HELD);
  }

  @Test
  void an_eviction_is_told_once_to_the_evicted_node() {
    RoomStore store = open(DEFAULT_POLICY);
    Await.result(store.renewLease("node-a", 1_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");
    clock.advanceMillis(1_001);
    assertThat(Await.result(store.evictExpiredNodes())).hasSize(1);

    assertThat(Await.result(store.renewLease("node-a", 1_000))).isEqualTo(RoomStore.Lease.EVICTED);
    assertThat(keys(prefixes.get(store))).as("the mark was read and removed").doesNotContain(prefixes.get(store) + "evicted:node-a");
    clock.advanceMillis(1_001);
    assertThat(Await.result(store.evictExpiredNodes())).as("nothing left of it to evict").isEmpty();
    assertThat(Await.result(store.renewLease("node-a", 1_000))).as("evicted again, told again").isEqualTo(RoomStore.Lease.EVICTED);
  }

  @Test
  void scripts_flushed_from_redis_are_loaded_again() {
    RoomStore store = open(DEFAULT_POLICY);
    publish(store, ROOM, "item.created");

    // global to the Redis server: any other store using it reloads its scripts the same way
    Await.result(server.redis().send(Request.cmd(Command.SCRIPT).arg("FLUSH")));

    assertThat(publish(store, ROOM, "item.updated").offset()).isEqualTo(2);
    assertThat(join(store, ROOM, "u1", "c1")).isTrue();
  }

  private static long pttl(String key) {
    return Await.result(server.redis().send(Request.cmd(Command.PTTL).arg(key))).toLong();
  }

  private static List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = Await.result(server.redis().send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(prefix + "*")));
      cursor = page.get(0).toString();
      page.get(1).forEach(key -> keys.add(key.toString()));
    } while (!"0".equals(cursor));
    return keys;
  }

  /** The id of the subscribed client connection named {@code name}, or null. */
  private static Future<String> subscriberId(String name) {
    return server.redis().send(Request.cmd(Command.CLIENT).arg("LIST")).map(list -> {
      for (String line : list.toString().split("\n")) {
        if (line.contains(" name=" + name + " ") && line.contains(" sub=1 ")) {
          for (String field : line.split(" ")) {
            if (field.startsWith("id=")) {
              return field.substring(3);
            }
          }
        }
      }
      return null;
    });
  }

  private static List<String> rawHistory(String prefix, RoomName room) {
    List<String> entries = new ArrayList<>();
    Await.result(server.redis().send(Request.cmd(Command.LRANGE).arg(prefix + "history:" + room.value()).arg(0).arg(-1)))
      .forEach(entry -> entries.add(entry.toString()));
    return entries;
  }
}
