package io.parley.votes;

import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import io.parley.shared.RoomName;
import io.parley.shared.TestRedis;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RedisVoteStore} against the {@link VoteStore} contract on a real Redis (see
 * {@link TestRedis}), each store with a fresh key prefix; plus what only Redis can get wrong:
 * the documented key layout, garbage-collection TTLs, and a tick that must not read the ballots.
 */
class RedisVoteStoreTest extends SharedVoteStoreContract {

  @RegisterExtension
  static final TestRedis.Fixture server = new TestRedis.Fixture();

  private final Map<VoteStore, String> prefixes = new IdentityHashMap<>();

  @Override
  protected VoteStore createStore(VotesOptions.HistoryPolicy policy, MutableClock clock) {
    return create(server.freshPrefix(), policy, clock);
  }

  @Override
  protected VoteStore createPeer(VoteStore store, VotesOptions.HistoryPolicy policy, MutableClock clock) {
    return create(prefixes.get(store), policy, clock);
  }

  private VoteStore create(String prefix, VotesOptions.HistoryPolicy policy, MutableClock clock) {
    VoteStore store = Await.result(RedisVoteStore.create(server.redis(), prefix, clock, policy));
    prefixes.put(store, prefix);
    return store;
  }

  @Test
  void keys_follow_the_documented_layout() {
    String p = prefixes.get(store);
    cast(store, ROOM, "u1", "yes", 42);
    cast(store, ROOM, "u2", "yes", 43);
    tick(store, ROOM, 1_000, 2);
    claim(store, 9);

    assertThat(redis("HGET", p + "votes:ballots:" + ROOM, "u1").toString()).isEqualTo("42|" + clock.millis() + "|yes");
    assertThat(redis("HGETALL", p + "votes:counts:" + ROOM).toString()).isEqualTo("{yes: 2}");
    assertThat(redis("LINDEX", p + "votes:history:" + ROOM, "0").toString())
      .isEqualTo("1000|{\"ts\":1000,\"votes\":{\"yes\":2,\"no\":0},\"connected\":2}");
    assertThat(redis("HGET", p + "votes:meta:" + ROOM, "lastTick").toString()).isEqualTo("1000");
    assertThat(redis("SISMEMBER", p + "votes:active", ROOM.value()).toInteger()).isEqualTo(1);
    assertThat(redis("EXISTS", p + "votes:claim:9").toInteger()).isEqualTo(1);
  }

  @Test
  void a_count_that_reaches_zero_leaves_no_field_and_an_emptied_room_no_keys() {
    String p = prefixes.get(store);
    cast(store, ROOM, "u1", "yes", 1);
    cast(store, ROOM, "u1", "no", 2);
    assertThat(redis("HEXISTS", p + "votes:counts:" + ROOM, "yes").toInteger()).isZero();

    withdraw(store, ROOM, "u1", clock.millis());

    assertThat(redis("EXISTS", p + "votes:ballots:" + ROOM, p + "votes:counts:" + ROOM).toInteger()).isZero();
  }

  @Test
  void history_and_poker_keys_expire_for_garbage_collection_only() {
    String p = prefixes.get(store);
    tick(store, ROOM, 1_000, 0);
    Await.result(store.openRound(POKER, "task-1"));
    castInRound(store, POKER, "u1", "5", 1, null);
    Await.result(store.addParticipant(POKER, "u1"));

    long historyTtl = redis("PTTL", p + "votes:history:" + ROOM).toLong();
    assertThat(historyTtl).isGreaterThan(DEFAULT_POLICY.maxAgeMs()).isLessThanOrEqualTo(DEFAULT_POLICY.maxAgeMs() + RedisVoteStore.GC_MARGIN_MS);
    for (String kind : List.of("ballots", "counts", "round", "participants")) {
      assertThat(redis("PTTL", p + "votes:" + kind + ":" + POKER).toLong()).as(kind)
        .isGreaterThan(RedisVoteStore.ROUND_ROOM_TTL_MS - 60_000);
    }
    Await.result(store.claimInterval(5, 400));
    assertThat(redis("PTTL", p + "votes:claim:5").toLong()).isBetween(1L, 400L);
  }

  /**
   * The reason counts are kept: a tick reads one number per option. Measured, not assumed: the
   * median tick of a room of 20,000 voters against one of 10 (bench/tick-cost runs 100,000).
   * A tick that scanned the ballots would be hundreds of times slower; the bound leaves room for
   * a busy machine.
   */
  @Test
  void a_tick_costs_the_same_with_twenty_thousand_voters_as_with_ten() {
    RoomName crowd = RoomName.of("votes-crowd");
    RoomName few = RoomName.of("votes-few");
    seed(crowd, 20_000);
    seed(few, 10);

    long crowdNanos = medianTickNanos(crowd);
    long fewNanos = medianTickNanos(few);

    assertThat(tick(store, crowd, 2_000_000, 20_000).entry().getJsonObject("votes")).isEqualTo(votes(10_000, 10_000));
    assertThat((double) crowdNanos / fewNanos).as("crowd %d ns, few %d ns", crowdNanos, fewNanos).isLessThan(5.0);
  }

  private void seed(RoomName room, int voters) {
    for (int from = 0; from < voters; from += 1_000) {
      List<Future<VoteStore.Cast>> batch = new ArrayList<>();
      for (int u = from; u < Math.min(voters, from + 1_000); u++) {
        batch.add(store.cast(room, new VoteStore.Ballot("user-" + u, u % 2 == 0 ? "yes" : "no", 1)));
      }
      Await.result(Future.all(batch));
    }
  }

  private long medianTickNanos(RoomName room) {
    long[] nanos = new long[41];
    long ts = 1_000_000;
    for (int i = 0; i < 10; i++) { // warm up
      tick(store, room, ts++, 0);
    }
    for (int i = 0; i < nanos.length; i++) {
      long began = System.nanoTime();
      tick(store, room, ts++, 0);
      nanos[i] = System.nanoTime() - began;
    }
    Arrays.sort(nanos);
    return nanos[nanos.length / 2];
  }

  private static Response redis(String command, String... args) {
    Request request = Request.cmd(Command.create(command));
    for (String arg : args) {
      request.arg(arg);
    }
    return Await.result(server.redis().send(request));
  }
}
