package io.parley.votes;

import io.parley.shared.FailureLog;
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
    VoteStore store = Await.result(RedisVoteStore.create(server.redis(), prefix, clock, policy, FailureLog.fallback()));
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
   * The reason counts are kept: a tick reads one number per option, never the ballots, so its
   * cost does not grow with the voters (bench/tick-cost measures it with 100,000). Shown without
   * a stopwatch: with the ballots of 20,000 voters taken away behind the store's back, the tick
   * still counts every one of them from the kept counts.
   */
  @Test
  void a_tick_reads_the_kept_counts_not_the_ballots() {
    RoomName crowd = RoomName.of("votes-crowd");
    seed(crowd, 20_000);
    assertThat(tick(store, crowd, 2_000_000, 20_000).entry().getJsonObject("votes")).isEqualTo(votes(10_000, 10_000));

    redis("DEL", prefixes.get(store) + "votes:ballots:" + crowd.value());

    assertThat(tick(store, crowd, 2_001_000, 20_000).entry().getJsonObject("votes")).isEqualTo(votes(10_000, 10_000));
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

  private static Response redis(String command, String... args) {
    Request request = Request.cmd(Command.create(command));
    for (String arg : args) {
      request.arg(arg);
    }
    return Await.result(server.redis().send(request));
  }
}
