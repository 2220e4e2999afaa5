package io.parley.votes;

import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import io.parley.shared.RoomName;
import io.parley.votes.VoteStore.Ballot;
import io.parley.votes.VoteStore.Outcome;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link VoteStore} contract. Every implementation gets a test class that extends this one
 * and says how to build a store; stores that several nodes share extend
 * {@link SharedVoteStoreContract}, which adds what two nodes over the same data see.
 *
 * <p>Time is a {@link MutableClock} the store must read for every age and every "stored at", so
 * expiry is tested by moving the clock, never by sleeping.
 */
public abstract class VoteStoreContract {

  protected static final VotesOptions.HistoryPolicy DEFAULT_POLICY = new VotesOptions.HistoryPolicy(100, 600_000);
  protected static final List<String> YES_NO = List.of("yes", "no");
  protected static final RoomName ROOM = RoomName.of("votes-debate");
  protected static final RoomName OTHER_ROOM = RoomName.of("votes-other");
  protected static final RoomName POKER = RoomName.of("planning-poker-7");

  /** A new, empty store sharing no data with other tests' stores. Closed after the test. */
  protected abstract VoteStore createStore(VotesOptions.HistoryPolicy policy, MutableClock clock);

  /** Starts at 10 s, so that ticks stamped 1_000, 2_000, ... in these tests are seconds old, not years. */
  protected final MutableClock clock = new MutableClock(10_000);
  private final List<VoteStore> opened = new ArrayList<>();
  protected VoteStore store;

  @BeforeEach
  void openDefaultStore() {
    store = open(DEFAULT_POLICY);
  }

  @AfterEach
  void closeStores() {
    for (VoteStore s : opened) {
      Await.result(s.close());
    }
  }

  protected VoteStore open(VotesOptions.HistoryPolicy policy) {
    VoteStore s = createStore(policy, clock);
    opened.add(s);
    return s;
  }

  // ---------------------------------------------------------------- casting and counting

  @Test
  void a_cast_is_accepted_and_counted() {
    assertThat(cast(store, ROOM, "u1", "yes", 10)).isEqualTo(new VoteStore.Cast(Outcome.ACCEPTED, null));
    cast(store, ROOM, "u2", "yes", 10);
    cast(store, ROOM, "u3", "no", 10);

    assertThat(tick(store, ROOM, 1_000, 3).entry()).isEqualTo(entry(1_000, 2, 1, 3));
  }

  @Test
  void changing_a_vote_moves_the_count_from_the_old_option_to_the_new() {
    cast(store, ROOM, "u1", "yes", 10);
    cast(store, ROOM, "u2", "yes", 10);
    cast(store, ROOM, "u1", "no", 11);

    assertThat(tick(store, ROOM, 1_000, 2).entry().getJsonObject("votes")).isEqualTo(votes(1, 1));
  }

  @Test
  void casting_the_same_option_again_counts_it_once() {
    cast(store, ROOM, "u1", "yes", 10);
    cast(store, ROOM, "u1", "yes", 11);
    cast(store, ROOM, "u1", "yes", 12);

    assertThat(tick(store, ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(1, 0));
  }

  @Test
  void a_vote_older_than_the_stored_one_is_stale_and_changes_nothing() {
    cast(store, ROOM, "u1", "yes", 100);

    assertThat(cast(store, ROOM, "u1", "no", 99).outcome()).isEqualTo(Outcome.STALE);
    assertThat(tick(store, ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(1, 0));
  }

  @Test
  void a_vote_with_the_same_ts_replaces_the_stored_one() {
    cast(store, ROOM, "u1", "yes", 100);

    assertThat(cast(store, ROOM, "u1", "no", 100).outcome()).isEqualTo(Outcome.ACCEPTED);
    assertThat(tick(store, ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(0, 1));
  }

  @Test
  void timestamps_up_to_two_to_the_53_compare_exactly() {
    long big = VotesVerticle.MAX_TS;
    cast(store, ROOM, "u1", "yes", big - 1);

    assertThat(cast(store, ROOM, "u1", "no", big - 2).outcome()).isEqualTo(Outcome.STALE);
    assertThat(cast(store, ROOM, "u1", "no", big).outcome()).isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void rooms_are_counted_separately() {
    cast(store, ROOM, "u1", "yes", 1);
    cast(store, OTHER_ROOM, "u1", "no", 1);

    assertThat(tick(store, ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(1, 0));
    assertThat(tick(store, OTHER_ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(0, 1));
  }

  @Test
  void an_option_may_hold_any_characters() {
    List<String> odd = List.of("a|b", "\"quoted\" é 日本", "1|2|3");
    cast(store, ROOM, "u1", "a|b", 1);
    cast(store, ROOM, "u2", "1|2|3", 1);
    cast(store, ROOM, "u3", "1|2|3", 1);

    JsonObject votes = tick(store, ROOM, 1_000, 3, odd).entry().getJsonObject("votes");

    assertThat(votes).isEqualTo(new JsonObject().put("a|b", 1).put("\"quoted\" é 日本", 0).put("1|2|3", 2));
    assertThat(List.copyOf(votes.fieldNames())).as("in the options' order").containsExactlyElementsOf(odd);
  }

  @Test
  void concurrent_votes_of_many_users_keep_the_counts_exact() throws Exception {
    int users = 40;
    runConcurrently(4, thread -> {
      for (int round = 0; round < 5; round++) {
        for (int u = thread; u < users; u += 4) {
          cast(store, ROOM, "u" + u, (u + round) % 2 == 0 ? "yes" : "no", round);
        }
      }
    });
    // round 4 decided: u even → yes when (u + 4) even
    assertThat(tick(store, ROOM, 1_000, users).entry().getJsonObject("votes")).isEqualTo(votes(users / 2, users / 2));
  }

  // ---------------------------------------------------------------- withdrawing

  @Test
  void withdrawing_removes_the_vote_and_its_count() {
    cast(store, ROOM, "u1", "yes", 1);
    cast(store, ROOM, "u2", "no", 1);

    assertThat(withdraw(store, ROOM, "u1", clock.millis())).isTrue();

    assertThat(tick(store, ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(0, 1));
  }

  @Test
  void withdrawing_twice_or_without_a_vote_changes_nothing() {
    cast(store, ROOM, "u1", "yes", 1);
    cast(store, ROOM, "u2", "yes", 1);

    assertThat(withdraw(store, ROOM, "u1", clock.millis())).isTrue();
    assertThat(withdraw(store, ROOM, "u1", clock.millis())).isFalse();
    assertThat(withdraw(store, ROOM, "nobody", clock.millis())).isFalse();
    assertThat(withdraw(store, RoomName.of("votes-unknown"), "u2", clock.millis())).isFalse();

    assertThat(tick(store, ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(1, 0));
  }

  @Test
  void a_late_withdrawal_does_not_take_a_vote_stored_after_the_user_left() {
    cast(store, ROOM, "u1", "yes", 1);
    long leftAt = clock.millis();
    clock.advanceMillis(50);
    cast(store, ROOM, "u1", "no", 2); // came back and voted again

    assertThat(withdraw(store, ROOM, "u1", leftAt)).isFalse();
    assertThat(tick(store, ROOM, 1_000, 1).entry().getJsonObject("votes")).isEqualTo(votes(0, 1));
  }

  @Test
  void after_withdrawing_any_ts_is_accepted_again() {
    cast(store, ROOM, "u1", "yes", 500);
    withdraw(store, ROOM, "u1", clock.millis());

    assertThat(cast(store, ROOM, "u1", "no", 1).outcome()).isEqualTo(Outcome.ACCEPTED);
  }

  // ---------------------------------------------------------------- ticks and history

  @Test
  void a_tick_lists_every_option_in_order_with_zeros() {
    JsonObject entry = tick(store, ROOM, 5_000, 0).entry();

    assertThat(entry).isEqualTo(entry(5_000, 0, 0, 0));
    assertThat(List.copyOf(entry.fieldNames())).containsExactly("ts", "votes", "connected");
    assertThat(List.copyOf(entry.getJsonObject("votes").fieldNames())).containsExactly("yes", "no");
  }

  @Test
  void a_room_is_ticked_once_per_ts_and_never_backwards() {
    assertThat(tick(store, ROOM, 2_000, 1)).isNotNull();

    assertThat(Await.result(store.tick(ROOM, 2_000, 1, YES_NO))).as("same interval again").isNull();
    assertThat(Await.result(store.tick(ROOM, 1_000, 1, YES_NO))).as("an older interval").isNull();
    assertThat(tick(store, ROOM, 3_000, 1)).isNotNull();
    assertThat(history(store, ROOM, 0)).extracting(e -> e.getLong("ts")).containsExactly(2_000L, 3_000L);
  }

  @Test
  void history_lists_the_ticks_oldest_first() {
    cast(store, ROOM, "u1", "yes", 1);
    JsonObject first = tick(store, ROOM, 1_000, 1).entry();
    cast(store, ROOM, "u2", "no", 1);
    JsonObject second = tick(store, ROOM, 2_000, 2).entry();

    assertThat(history(store, ROOM, 0)).containsExactly(first, second);
  }

  @Test
  void history_of_a_room_without_ticks_is_empty() {
    assertThat(history(store, RoomName.of("votes-never"), 0)).isEmpty();
  }

  @Test
  void history_since_a_ts_lists_only_later_ticks() {
    for (long ts = 1_000; ts <= 5_000; ts += 1_000) {
      tick(store, ROOM, ts, 0);
    }

    assertThat(history(store, ROOM, 3_000)).extracting(e -> e.getLong("ts")).containsExactly(4_000L, 5_000L);
    assertThat(history(store, ROOM, 5_000)).isEmpty();
  }

  @Test
  void history_keeps_the_newest_max_size_ticks() {
    VoteStore small = open(new VotesOptions.HistoryPolicy(3, 600_000));
    for (long ts = 1_000; ts <= 6_000; ts += 1_000) {
      tick(small, ROOM, ts, 0);
    }

    assertThat(history(small, ROOM, 0)).extracting(e -> e.getLong("ts")).containsExactly(4_000L, 5_000L, 6_000L);
  }

  @Test
  void history_drops_ticks_older_than_max_age() {
    VoteStore young = open(new VotesOptions.HistoryPolicy(100, 10_000));
    long start = clock.millis();
    tick(young, ROOM, start, 0);
    clock.advanceMillis(6_000);
    tick(young, ROOM, start + 6_000, 0);

    clock.advanceMillis(5_000);

    assertThat(history(young, ROOM, 0)).extracting(e -> e.getLong("ts")).containsExactly(start + 6_000);
    clock.advanceMillis(6_000);
    assertThat(history(young, ROOM, 0)).isEmpty();
  }

  @Test
  void with_max_size_zero_nothing_is_kept_but_ticks_are_still_answered() {
    VoteStore none = open(new VotesOptions.HistoryPolicy(0, 600_000));

    assertThat(tick(none, ROOM, 1_000, 2).entry()).isEqualTo(entry(1_000, 0, 0, 2));
    assertThat(history(none, ROOM, 0)).isEmpty();
  }

  // ---------------------------------------------------------------- active rooms

  @Test
  void a_cast_or_an_activation_makes_a_room_active() {
    cast(store, ROOM, "u1", "yes", 1);
    Await.result(store.activate(OTHER_ROOM));
    Await.result(store.activate(OTHER_ROOM));

    assertThat(Await.result(store.activeRooms())).containsExactlyInAnyOrder(ROOM, OTHER_ROOM);
  }

  @Test
  void a_tick_drops_a_room_with_no_votes_and_nobody_connected_after_tallying_it() {
    Await.result(store.activate(ROOM));
    cast(store, OTHER_ROOM, "u1", "yes", 1);

    VoteStore.Tick empty = tick(store, ROOM, 1_000, 0);
    VoteStore.Tick withVotes = tick(store, OTHER_ROOM, 1_000, 0);

    assertThat(empty.idle()).isTrue();
    assertThat(empty.entry()).isEqualTo(entry(1_000, 0, 0, 0));
    assertThat(withVotes.idle()).isFalse();
    assertThat(Await.result(store.activeRooms())).containsExactly(OTHER_ROOM);
    assertThat(history(store, ROOM, 0)).as("the last tick is kept").containsExactly(empty.entry());
  }

  @Test
  void a_room_with_members_but_no_votes_stays_active() {
    Await.result(store.activate(ROOM));

    assertThat(tick(store, ROOM, 1_000, 3).idle()).isFalse();
    assertThat(Await.result(store.activeRooms())).containsExactly(ROOM);
  }

  @Test
  void a_room_whose_last_vote_was_withdrawn_leaves_at_its_next_tick() {
    cast(store, ROOM, "u1", "yes", 1);
    withdraw(store, ROOM, "u1", clock.millis());

    assertThat(Await.result(store.activeRooms())).containsExactly(ROOM);
    assertThat(tick(store, ROOM, 1_000, 0).idle()).isTrue();
    assertThat(Await.result(store.activeRooms())).isEmpty();
    cast(store, ROOM, "u1", "no", 2);
    assertThat(Await.result(store.activeRooms())).as("a vote brings it back").containsExactly(ROOM);
  }

  // ---------------------------------------------------------------- the tally clock

  @Test
  void an_interval_is_claimed_once() {
    assertThat(claim(store, 100)).isTrue();
    assertThat(claim(store, 100)).isFalse();
    assertThat(claim(store, 101)).isTrue();
    assertThat(claim(store, 101)).isFalse();
  }

  @Test
  void concurrent_claims_of_an_interval_have_one_winner() throws Exception {
    List<Boolean> won = java.util.Collections.synchronizedList(new ArrayList<>());
    runConcurrently(4, thread -> won.add(claim(store, 7)));

    assertThat(won).containsExactlyInAnyOrder(true, false, false, false);
  }

  // ---------------------------------------------------------------- rounds (planning poker)

  @Test
  void in_a_room_with_rounds_a_vote_without_an_open_round_is_refused_and_not_stored() {
    assertThat(castInRound(store, POKER, "u1", "5", 1, null)).isEqualTo(new VoteStore.Cast(Outcome.NO_ROUND, null));

    Await.result(store.openRound(POKER, "task-1"));
    assertThat(round(store, POKER)).isEqualTo(new VoteStore.Round("task-1", List.of()));
  }

  @Test
  void votes_in_a_round_are_revealed_once_when_it_closes() {
    Await.result(store.openRound(POKER, "task-1"));
    assertThat(castInRound(store, POKER, "u1", "5", 1, null)).isEqualTo(new VoteStore.Cast(Outcome.ACCEPTED, "task-1"));
    castInRound(store, POKER, "u2", "8", 1, "task-1");
    castInRound(store, POKER, "u1", "3", 2, null);

    assertThat(round(store, POKER).voters()).containsExactlyInAnyOrder("u1", "u2");
    assertThat(Await.result(store.closeRound(POKER, "task-1", null))).isEqualTo(Map.of("u1", "3", "u2", "8"));
    assertThat(Await.result(store.closeRound(POKER, "task-1", null))).as("closed already").isNull();
    assertThat(round(store, POKER)).isNull();
    assertThat(castInRound(store, POKER, "u1", "5", 3, null).outcome()).isEqualTo(Outcome.NO_ROUND);
  }

  @Test
  void a_vote_for_another_round_than_the_open_one_is_refused() {
    Await.result(store.openRound(POKER, "task-2"));

    assertThat(castInRound(store, POKER, "u1", "5", 1, "task-1")).isEqualTo(new VoteStore.Cast(Outcome.OTHER_ROUND, "task-2"));
    assertThat(round(store, POKER).voters()).isEmpty();
  }

  @Test
  void closing_a_round_can_open_the_next_with_no_votes() {
    Await.result(store.openRound(POKER, "task-1"));
    castInRound(store, POKER, "u1", "5", 100, null);

    assertThat(Await.result(store.closeRound(POKER, "task-1", "task-2"))).isEqualTo(Map.of("u1", "5"));
    assertThat(round(store, POKER)).isEqualTo(new VoteStore.Round("task-2", List.of()));
    assertThat(castInRound(store, POKER, "u1", "8", 1, null).outcome()).as("a new round: any ts").isEqualTo(Outcome.ACCEPTED);
  }

  @Test
  void opening_a_round_clears_the_votes_of_the_previous_one() {
    Await.result(store.openRound(POKER, "task-1"));
    castInRound(store, POKER, "u1", "5", 1, null);

    Await.result(store.openRound(POKER, "task-2"));

    assertThat(Await.result(store.closeRound(POKER, "task-2", null))).isEmpty();
  }

  @Test
  void closing_a_round_that_is_not_open_changes_nothing() {
    Await.result(store.openRound(POKER, "task-1"));
    castInRound(store, POKER, "u1", "5", 1, null);

    assertThat(Await.result(store.closeRound(POKER, "task-9", "task-10"))).isNull();
    assertThat(round(store, POKER)).isEqualTo(new VoteStore.Round("task-1", List.of("u1")));
  }

  @Test
  void stale_votes_count_within_a_round_too() {
    Await.result(store.openRound(POKER, "task-1"));
    castInRound(store, POKER, "u1", "5", 10, null);

    assertThat(castInRound(store, POKER, "u1", "8", 9, null)).isEqualTo(new VoteStore.Cast(Outcome.STALE, "task-1"));
    assertThat(Await.result(store.closeRound(POKER, "task-1", null))).isEqualTo(Map.of("u1", "5"));
  }

  @Test
  void votes_in_rounds_never_make_the_room_active() {
    Await.result(store.openRound(POKER, "task-1"));
    castInRound(store, POKER, "u1", "5", 1, null);

    assertThat(Await.result(store.activeRooms())).isEmpty();
  }

  @Test
  void a_participant_is_new_once_until_the_room_is_cleared() {
    assertThat(Await.result(store.addParticipant(POKER, "u1"))).isTrue();
    assertThat(Await.result(store.addParticipant(POKER, "u1"))).isFalse();
    assertThat(Await.result(store.addParticipant(POKER, "u2"))).isTrue();

    Await.result(store.clear(POKER));

    assertThat(Await.result(store.addParticipant(POKER, "u1"))).isTrue();
  }

  @Test
  void clearing_forgets_votes_round_history_and_activity() {
    Await.result(store.openRound(POKER, "task-1"));
    castInRound(store, POKER, "u1", "5", 1, null);
    cast(store, ROOM, "u1", "yes", 1);
    tick(store, ROOM, 1_000, 1);

    Await.result(store.clear(POKER));
    Await.result(store.clear(ROOM));

    assertThat(round(store, POKER)).isNull();
    assertThat(history(store, ROOM, 0)).isEmpty();
    assertThat(Await.result(store.activeRooms())).isEmpty();
    assertThat(cast(store, ROOM, "u1", "no", 0).outcome()).as("no stored vote left").isEqualTo(Outcome.ACCEPTED);
  }

  // ---------------------------------------------------------------- helpers

  /** Closes {@code s} with the stores of this test. */
  protected void closeAfterTest(VoteStore s) {
    opened.add(s);
  }

  protected static VoteStore.Cast cast(VoteStore store, RoomName room, String userId, String option, long ts) {
    return Await.result(store.cast(room, new Ballot(userId, option, ts)));
  }

  protected static VoteStore.Cast castInRound(VoteStore store, RoomName room, String userId, String option, long ts, String expected) {
    return Await.result(store.castInRound(room, new Ballot(userId, option, ts), expected));
  }

  protected static boolean withdraw(VoteStore store, RoomName room, String userId, long leftAt) {
    return Await.result(store.withdraw(room, userId, leftAt));
  }

  protected static VoteStore.Tick tick(VoteStore store, RoomName room, long ts, int connected) {
    return tick(store, room, ts, connected, YES_NO);
  }

  protected static VoteStore.Tick tick(VoteStore store, RoomName room, long ts, int connected, List<String> options) {
    VoteStore.Tick tick = Await.result(store.tick(room, ts, connected, options));
    assertThat(tick).as("tick of " + room + " at " + ts).isNotNull();
    return tick;
  }

  protected static List<JsonObject> history(VoteStore store, RoomName room, long sinceTs) {
    return Await.result(store.history(room, sinceTs));
  }

  protected static VoteStore.Round round(VoteStore store, RoomName room) {
    return Await.result(store.round(room));
  }

  protected static boolean claim(VoteStore store, long interval) {
    return Await.result(store.claimInterval(interval, 60_000));
  }

  protected static JsonObject votes(int yes, int no) {
    return new JsonObject().put("yes", yes).put("no", no);
  }

  protected static JsonObject entry(long ts, int yes, int no, int connected) {
    return new JsonObject().put("ts", ts).put("votes", votes(yes, no)).put("connected", connected);
  }

  @FunctionalInterface
  protected interface Worker {
    void run(int thread) throws Exception;
  }

  /** Runs {@code worker} on {@code threads} threads released together; fails on the first failure. */
  protected static void runConcurrently(int threads, Worker worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        running.add(pool.submit(() -> {
          start.await();
          worker.run(thread);
          return null;
        }));
      }
      start.countDown();
      for (java.util.concurrent.Future<?> r : running) {
        r.get(Await.TIMEOUT_SECONDS * 4, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
