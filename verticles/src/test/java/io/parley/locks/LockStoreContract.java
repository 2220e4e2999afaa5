package io.parley.locks;

import io.parley.locks.LockStore.AcquireOutcome;
import io.parley.locks.LockStore.Acquisition;
import io.parley.locks.LockStore.Holder;
import io.parley.locks.LockStore.Kick;
import io.parley.locks.LockStore.KickOutcome;
import io.parley.locks.LockStore.KickRequest;
import io.parley.locks.LockStore.Kickoff;
import io.parley.locks.LockStore.Lock;
import io.parley.locks.LockStore.Release;
import io.parley.locks.LockStore.SettleOutcome;
import io.parley.locks.LockStore.SettleReason;
import io.parley.locks.LockStore.Settlement;
import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link LockStore} contract. Every implementation gets a test class that extends this one
 * and says how to build a store, and how to build a peer: another store over the same data,
 * as another node would have (for a store of one node, the store itself).
 *
 * <p>Time is a {@link MutableClock} the store must read for every stamp and every expiry
 * decision, so expiry and kick deadlines are tested by moving the clock, never by sleeping.
 */
public abstract class LockStoreContract {

  protected static final LocksOptions OPTIONS = new LocksOptions(300_000, 900_000, 30_000, 1_000, 500);
  protected static final long TTL = OPTIONS.ttlMs();
  protected static final long KICK_TIMEOUT = OPTIONS.kickTimeoutMs();

  /** A new, empty store sharing nothing with other tests' stores. The suite closes it after the test. */
  protected abstract LockStore createStore(MutableClock clock, LocksOptions options);

  /** Another store over {@code store}'s data, as on another node. Closed after the test too. */
  protected abstract LockStore createPeer(LockStore store, MutableClock clock, LocksOptions options);

  protected final MutableClock clock = new MutableClock();
  private final List<LockStore> opened = new ArrayList<>();
  protected LockStore store;

  protected static final Resource DOC = Resource.of("doc:1");
  protected static final Resource OTHER_DOC = Resource.of("doc:2");
  protected final Holder ann = holder("ann", "Ann");
  protected final Holder annOtherTab = holder("ann", "Ann");
  protected final Holder bob = holder("bob", "Bob");
  protected final Holder carol = holder("carol", "Carol");

  protected static Holder holder(String userId, String name) {
    return new Holder(UUID.randomUUID().toString(), userId, name);
  }

  @BeforeEach
  void openStore() {
    store = createStore(clock, OPTIONS);
    opened.add(store);
  }

  @AfterEach
  void closeStores() {
    for (LockStore s : opened) {
      Await.result(s.close());
    }
  }

  protected LockStore peer() {
    LockStore peer = createPeer(store, clock, OPTIONS);
    if (peer != store) {
      opened.add(peer);
    }
    return peer;
  }

  // ---------------------------------------------------------------- acquire

  @Test
  void acquiring_a_free_resource_gives_it_to_the_session() {
    Acquisition acquisition = acquire(DOC, ann);

    assertThat(acquisition.outcome()).isEqualTo(AcquireOutcome.ACQUIRED);
    assertThat(acquisition.holds()).isTrue();
    assertThat(acquisition.expired()).isNull();
    Lock lock = acquisition.lock();
    assertThat(lock.resource()).isEqualTo("doc:1");
    assertThat(lock.holder()).isEqualTo(ann);
    assertThat(lock.lastUpdated()).isEqualTo(clock.millis());
    assertThat(lock.created()).isEqualTo(clock.millis());
    assertThat(status(DOC)).isEqualTo(lock);
  }

  @Test
  void the_holding_session_acquiring_again_continues_its_lock() {
    Lock first = acquire(DOC, ann).lock();
    clock.advanceMillis(60_000);

    Acquisition again = acquire(DOC, ann);

    assertThat(again.outcome()).isEqualTo(AcquireOutcome.CONTINUED);
    assertThat(again.lock().id()).isEqualTo(first.id());
    assertThat(again.lock().created()).isEqualTo(first.created());
    assertThat(again.lock().lastUpdated()).isEqualTo(first.lastUpdated() + 60_000);
  }

  @Test
  void another_session_is_told_who_holds_it_and_nothing_changes() {
    Lock held = acquire(DOC, ann).lock();
    clock.advanceMillis(1_000);

    Acquisition refused = acquire(DOC, bob);

    assertThat(refused.outcome()).isEqualTo(AcquireOutcome.HELD_BY_OTHER);
    assertThat(refused.holds()).isFalse();
    assertThat(refused.lock()).isEqualTo(held);
    assertThat(status(DOC)).isEqualTo(held);
  }

  @Test
  void the_holder_is_a_session_so_another_tab_of_the_same_user_does_not_get_it() {
    Lock held = acquire(DOC, ann).lock();

    Acquisition otherTab = acquire(DOC, annOtherTab);

    assertThat(otherTab.outcome()).isEqualTo(AcquireOutcome.HELD_BY_OTHER);
    assertThat(otherTab.lock()).isEqualTo(held);
  }

  @Test
  void locks_on_different_resources_are_independent() {
    acquire(DOC, ann);

    assertThat(acquire(OTHER_DOC, bob).outcome()).isEqualTo(AcquireOutcome.ACQUIRED);
    assertThat(status(DOC).holder()).isEqualTo(ann);
    assertThat(status(OTHER_DOC).holder()).isEqualTo(bob);
  }

  @Test
  void of_many_sessions_acquiring_at_once_on_several_stores_exactly_one_gets_it() {
    List<LockStore> stores = List.of(store, peer(), peer());
    for (int round = 0; round < 5; round++) {
      Resource resource = Resource.of("doc:race-" + round);
      List<Holder> contenders = IntStream.range(0, 30).mapToObj(i -> holder("user-" + i, "User " + i)).toList();

      List<Future<Acquisition>> attempts = new ArrayList<>();
      for (int i = 0; i < contenders.size(); i++) {
        attempts.add(stores.get(i % stores.size()).acquire(resource, contenders.get(i)));
      }
      List<Acquisition> outcomes = attempts.stream().map(Await::result).toList();

      List<Acquisition> winners = outcomes.stream().filter(Acquisition::holds).toList();
      assertThat(winners).as("round " + round).hasSize(1);
      Holder winner = winners.get(0).lock().holder();
      assertThat(outcomes).allSatisfy(a -> assertThat(a.lock().holder()).isEqualTo(winner));
      assertThat(status(resource).holder()).isEqualTo(winner);
    }
  }

  @Test
  void a_new_holding_gets_a_new_id() {
    Lock first = acquire(DOC, ann).lock();
    release(DOC, ann);

    Lock second = acquire(DOC, bob).lock();

    assertThat(second.id()).isNotEqualTo(first.id());
  }

  // ---------------------------------------------------------------- expiry

  @Test
  void a_lock_is_held_for_exactly_its_ttl_after_the_last_acquire() {
    Lock held = acquire(DOC, ann).lock();

    clock.advanceMillis(TTL);
    assertThat(status(DOC)).as("at the ttl").isEqualTo(held);
    assertThat(acquire(DOC, bob).outcome()).isEqualTo(AcquireOutcome.HELD_BY_OTHER);

    clock.advanceMillis(1);
    assertThat(status(DOC)).as("past the ttl").isNull();
  }

  @Test
  void an_expired_lock_is_taken_over_and_its_holder_named() {
    Lock old = acquire(DOC, ann).lock();
    clock.advanceMillis(TTL + 1);

    Acquisition takeover = acquire(DOC, bob);

    assertThat(takeover.outcome()).isEqualTo(AcquireOutcome.ACQUIRED);
    assertThat(takeover.lock().holder()).isEqualTo(bob);
    assertThat(takeover.lock().id()).isNotEqualTo(old.id());
    assertThat(takeover.lock().created()).isEqualTo(clock.millis());
    assertThat(takeover.expired()).isEqualTo(old);
    assertThat(Await.result(store.expireLocks(100))).as("nothing left to expire").isEmpty();
  }

  @Test
  void the_holder_acquiring_its_own_expired_lock_gets_it_back() {
    acquire(DOC, ann);
    clock.advanceMillis(TTL + 1);

    Acquisition again = acquire(DOC, ann);

    assertThat(again.holds()).isTrue();
    assertThat(again.expired()).isNull();
    assertThat(status(DOC).holder()).isEqualTo(ann);
  }

  @Test
  void expire_locks_frees_only_expired_locks_and_answers_each_once() {
    Lock old = acquire(DOC, ann).lock();
    clock.advanceMillis(TTL);
    acquire(OTHER_DOC, bob);
    clock.advanceMillis(1);

    List<Release> expired = Await.result(store.expireLocks(100));

    assertThat(expired).containsExactly(new Release(old, false));
    assertThat(Await.result(store.expireLocks(100))).isEmpty();
    assertThat(status(DOC)).isNull();
    assertThat(status(OTHER_DOC).holder()).isEqualTo(bob);
    assertThat(acquire(DOC, carol).expired()).as("already reported by the sweep").isNull();
  }

  @Test
  void expire_locks_takes_at_most_its_limit() {
    for (int i = 0; i < 5; i++) {
      acquire(Resource.of("doc:" + i), holder("u" + i, "U" + i));
    }
    clock.advanceMillis(TTL + 1);

    assertThat(Await.result(store.expireLocks(3))).hasSize(3);
    assertThat(Await.result(store.expireLocks(3))).hasSize(2);
  }

  @Test
  void sweeps_on_several_stores_at_once_report_each_expired_lock_once() {
    for (int i = 0; i < 20; i++) {
      acquire(Resource.of("doc:" + i), holder("u" + i, "U" + i));
    }
    clock.advanceMillis(TTL + 1);
    List<LockStore> sweepers = List.of(store, peer(), peer());

    List<Future<List<Release>>> sweeps = sweepers.stream().map(s -> s.expireLocks(100)).toList();

    List<String> reported = sweeps.stream().flatMap(f -> Await.result(f).stream()).map(r -> r.lock().resource()).toList();
    assertThat(reported).hasSize(20).doesNotHaveDuplicates();
  }

  // ---------------------------------------------------------------- heartbeat

  @Test
  void a_heartbeat_of_the_holder_postpones_expiry() {
    acquire(DOC, ann);
    clock.advanceMillis(TTL - 1_000);

    Lock refreshed = Await.result(store.heartbeat(DOC, ann.sessionId()));
    clock.advanceMillis(TTL - 1_000);

    assertThat(refreshed.lastUpdated()).isEqualTo(MutableClock.DEFAULT_START_MILLIS + TTL - 1_000);
    assertThat(status(DOC).holder()).isEqualTo(ann);
    assertThat(Await.result(store.expireLocks(100))).isEmpty();
  }

  @Test
  void a_heartbeat_of_another_session_changes_nothing() {
    Lock held = acquire(DOC, ann).lock();
    clock.advanceMillis(5_000);

    assertThat(Await.result(store.heartbeat(DOC, bob.sessionId()))).isNull();
    assertThat(Await.result(store.heartbeat(DOC, annOtherTab.sessionId()))).isNull();
    assertThat(Await.result(store.heartbeat(OTHER_DOC, ann.sessionId()))).isNull();
    assertThat(status(DOC)).isEqualTo(held);
  }

  @Test
  void a_heartbeat_comes_too_late_for_an_expired_lock() {
    acquire(DOC, ann);
    clock.advanceMillis(TTL + 1);

    assertThat(Await.result(store.heartbeat(DOC, ann.sessionId()))).isNull();
    assertThat(status(DOC)).isNull();
  }

  // ---------------------------------------------------------------- release

  @Test
  void the_holder_releasing_frees_the_resource() {
    Lock held = acquire(DOC, ann).lock();

    Release released = release(DOC, ann);

    assertThat(released).isEqualTo(new Release(held, false));
    assertThat(status(DOC)).isNull();
    assertThat(acquire(DOC, bob).outcome()).isEqualTo(AcquireOutcome.ACQUIRED);
  }

  @Test
  void release_by_another_session_changes_nothing() {
    Lock held = acquire(DOC, ann).lock();

    assertThat(release(DOC, bob)).isNull();
    assertThat(release(DOC, annOtherTab)).isNull();
    assertThat(release(OTHER_DOC, ann)).isNull();
    assertThat(status(DOC)).isEqualTo(held);
  }

  @Test
  void releasing_twice_frees_once() {
    acquire(DOC, ann);

    assertThat(release(DOC, ann)).isNotNull();
    assertThat(release(DOC, ann)).isNull();
  }

  // ---------------------------------------------------------------- kicks: requesting

  @Test
  void a_kick_is_recorded_against_the_live_holder_with_a_receipt_and_a_deadline() {
    acquire(DOC, ann);

    KickRequest request = kick(DOC, bob);

    assertThat(request.outcome()).isEqualTo(KickOutcome.REQUESTED);
    Kick kick = request.kick();
    assertThat(kick.receiptNumber()).isPositive();
    assertThat(kick.resource()).isEqualTo("doc:1");
    assertThat(kick.kicker()).isEqualTo(bob);
    assertThat(kick.holder()).isEqualTo(ann);
    assertThat(kick.deadline()).isEqualTo(clock.millis() + KICK_TIMEOUT);
    assertThat(status(DOC).holder()).as("a request moves nothing").isEqualTo(ann);
  }

  @Test
  void there_is_nobody_to_kick_on_a_free_or_expired_resource() {
    assertThat(kick(DOC, bob).outcome()).isEqualTo(KickOutcome.FREE);

    acquire(DOC, ann);
    clock.advanceMillis(TTL + 1);

    assertThat(kick(DOC, bob).outcome()).isEqualTo(KickOutcome.FREE);
  }

  @Test
  void the_holder_cannot_kick_itself() {
    acquire(DOC, ann);

    KickRequest own = kick(DOC, ann);

    assertThat(own.outcome()).isEqualTo(KickOutcome.OWN);
    assertThat(own.kick()).isNull();
  }

  @Test
  void kicking_again_answers_the_pending_kick_and_another_kicker_waits_its_turn() {
    acquire(DOC, ann);
    Kick first = kick(DOC, bob).kick();

    KickRequest again = kick(DOC, bob);
    KickRequest other = kick(DOC, carol);

    assertThat(again.outcome()).isEqualTo(KickOutcome.ALREADY_REQUESTED);
    assertThat(again.kick()).isEqualTo(first);
    assertThat(other.outcome()).isEqualTo(KickOutcome.PENDING_OTHER);
    assertThat(other.kick()).isEqualTo(first);
    assertThat(answer(first.receiptNumber(), ann, true).kick().kicker()).isEqualTo(bob);
  }

  @Test
  void receipt_numbers_of_pending_kicks_differ() {
    List<Integer> receipts = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Resource resource = Resource.of("doc:" + i);
      acquire(resource, holder("h" + i, "H"));
      receipts.add(kick(resource, bob).kick().receiptNumber());
    }

    assertThat(receipts).doesNotHaveDuplicates().allSatisfy(r -> assertThat(r).isPositive());
  }

  // ---------------------------------------------------------------- kicks: settling

  @Test
  void consent_moves_the_lock_to_the_kicker_and_logs_one_kickoff() {
    Lock held = acquire(DOC, ann).lock();
    Kick kick = kick(DOC, bob).kick();
    clock.advanceMillis(2_000);

    Settlement settlement = answer(kick.receiptNumber(), ann, true);

    assertThat(settlement.reason()).isEqualTo(SettleReason.CONSENT);
    assertThat(settlement.outcome()).isEqualTo(SettleOutcome.TRANSFERRED);
    assertThat(settlement.kick()).isEqualTo(kick);
    assertThat(settlement.lock().holder()).isEqualTo(bob);
    assertThat(settlement.lock().id()).as("the same connection changes hands").isEqualTo(held.id());
    assertThat(settlement.lock().lastUpdated()).isEqualTo(clock.millis());
    assertThat(status(DOC)).isEqualTo(settlement.lock());
    assertThat(kickoffs(DOC)).singleElement().satisfies(entry -> {
      assertThat(entry.kickerUserId()).isEqualTo("bob");
      assertThat(entry.receiverUserId()).isEqualTo("ann");
      assertThat(entry.connectionId()).isEqualTo(held.id());
      assertThat(entry.resource()).isEqualTo("doc:1");
      assertThat(entry.receiptNumber()).isEqualTo(kick.receiptNumber());
      assertThat(entry.oldSessionId()).isEqualTo(ann.sessionId());
      assertThat(entry.newSessionId()).isEqualTo(bob.sessionId());
      assertThat(entry.created()).isEqualTo(clock.millis());
    });
  }

  @Test
  void refusal_leaves_the_lock_and_logs_nothing() {
    Lock held = acquire(DOC, ann).lock();
    Kick kick = kick(DOC, bob).kick();

    Settlement settlement = answer(kick.receiptNumber(), ann, false);

    assertThat(settlement.reason()).isEqualTo(SettleReason.REFUSAL);
    assertThat(settlement.outcome()).isEqualTo(SettleOutcome.REFUSED);
    assertThat(settlement.lock()).isEqualTo(held);
    assertThat(status(DOC)).isEqualTo(held);
    assertThat(kickoffs(DOC)).isEmpty();
    assertThat(kick(DOC, carol).outcome()).as("the next kick may come").isEqualTo(KickOutcome.REQUESTED);
  }

  @Test
  void only_the_kicked_session_may_answer_and_a_wrong_answer_changes_nothing() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();

    assertThat(answerFailure(kick.receiptNumber(), bob, true)).isEqualTo(403);
    assertThat(answerFailure(kick.receiptNumber(), annOtherTab, false)).isEqualTo(403);

    assertThat(status(DOC).holder()).isEqualTo(ann);
    assertThat(kick(DOC, bob).outcome()).as("still pending").isEqualTo(KickOutcome.ALREADY_REQUESTED);
    assertThat(answer(kick.receiptNumber(), ann, false).outcome()).isEqualTo(SettleOutcome.REFUSED);
  }

  @Test
  void an_unknown_or_settled_receipt_is_not_found() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();
    int unknown = kick.receiptNumber() == Integer.MAX_VALUE - 1 ? 1 : kick.receiptNumber() + 1;

    assertThat(answerFailure(unknown, ann, true)).isEqualTo(404);
    answer(kick.receiptNumber(), ann, true);
    assertThat(answerFailure(kick.receiptNumber(), ann, true)).as("settled once").isEqualTo(404);
    assertThat(kickoffs(DOC)).hasSize(1);
  }

  @Test
  void no_answer_by_the_deadline_moves_the_lock_once() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();

    clock.advanceMillis(KICK_TIMEOUT - 1);
    assertThat(Await.result(store.settleOverdueKicks(100))).as("before the deadline").isEmpty();

    clock.advanceMillis(1);
    List<Settlement> settled = Await.result(store.settleOverdueKicks(100));

    assertThat(settled).singleElement().satisfies(s -> {
      assertThat(s.kick()).isEqualTo(kick);
      assertThat(s.reason()).isEqualTo(SettleReason.TIMEOUT);
      assertThat(s.outcome()).isEqualTo(SettleOutcome.TRANSFERRED);
      assertThat(s.lock().holder()).isEqualTo(bob);
    });
    assertThat(Await.result(store.settleOverdueKicks(100))).isEmpty();
    assertThat(answerFailure(kick.receiptNumber(), ann, false)).isEqualTo(404);
    assertThat(kickoffs(DOC)).hasSize(1);
  }

  @Test
  void an_answer_after_the_deadline_counts_as_none() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();
    clock.advanceMillis(KICK_TIMEOUT);

    Settlement late = answer(kick.receiptNumber(), ann, false);

    assertThat(late.reason()).isEqualTo(SettleReason.TIMEOUT);
    assertThat(late.outcome()).isEqualTo(SettleOutcome.TRANSFERRED);
    assertThat(status(DOC).holder()).isEqualTo(bob);
  }

  @Test
  void an_answer_racing_the_deadline_sweeps_of_several_stores_settles_once() {
    List<LockStore> stores = List.of(store, peer(), peer());
    List<Kick> kicks = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Resource resource = Resource.of("doc:" + i);
      acquire(resource, ann);
      kicks.add(kick(resource, bob).kick());
    }
    clock.advanceMillis(KICK_TIMEOUT);

    List<Future<List<Settlement>>> sweeps = stores.stream().map(s -> s.settleOverdueKicks(100)).toList();
    List<Future<Settlement>> answers = kicks.stream().map(k -> peer().answerKick(k.receiptNumber(), ann.sessionId(), true)).toList();

    List<Integer> settled = new ArrayList<>();
    sweeps.forEach(f -> Await.result(f).forEach(s -> settled.add(s.kick().receiptNumber())));
    for (Future<Settlement> answer : answers) {
      Throwable failure = Await.failure(answer);
      if (failure == null) {
        settled.add(answer.result().kick().receiptNumber());
      } else {
        assertThat(failure).isInstanceOfSatisfying(ReplyException.class, e -> assertThat(e.failureCode()).isEqualTo(404));
      }
    }
    assertThat(settled).containsExactlyInAnyOrderElementsOf(kicks.stream().map(Kick::receiptNumber).toList());
    for (int i = 0; i < 10; i++) {
      Resource resource = Resource.of("doc:" + i);
      assertThat(kickoffs(resource)).hasSize(1);
      assertThat(status(resource).holder()).isEqualTo(bob);
    }
  }

  @Test
  void when_the_holder_releases_a_pending_kick_grants_the_free_lock_without_a_kickoff() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();

    Release released = release(DOC, ann);
    Settlement settlement = Await.result(store.settlePendingKick(DOC));

    assertThat(released.kickPending()).isTrue();
    assertThat(settlement.kick()).isEqualTo(kick);
    assertThat(settlement.reason()).isEqualTo(SettleReason.HOLDER_LEFT);
    assertThat(settlement.outcome()).isEqualTo(SettleOutcome.GRANTED);
    assertThat(settlement.lock().holder()).isEqualTo(bob);
    assertThat(status(DOC).holder()).isEqualTo(bob);
    assertThat(kickoffs(DOC)).as("nobody was kicked out").isEmpty();
    assertThat(Await.result(store.settlePendingKick(DOC))).isNull();
    assertThat(answerFailure(kick.receiptNumber(), ann, true)).isEqualTo(404);
  }

  @Test
  void when_the_lock_changed_hands_meanwhile_the_kicker_gets_nothing() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();
    release(DOC, ann);
    Lock carols = acquire(DOC, carol).lock();

    Settlement settlement = Await.result(store.settlePendingKick(DOC));

    assertThat(settlement.outcome()).isEqualTo(SettleOutcome.TAKEN);
    assertThat(settlement.lock()).isEqualTo(carols);
    assertThat(status(DOC)).isEqualTo(carols);
    assertThat(kickoffs(DOC)).isEmpty();
    assertThat(settlement.kick()).isEqualTo(kick);
  }

  @Test
  void a_kick_whose_holder_expired_and_was_replaced_moves_nothing_at_its_deadline() {
    acquire(DOC, ann);
    Kick kick = kick(DOC, bob).kick();
    clock.advanceMillis(TTL + 1);
    Lock carols = acquire(DOC, carol).lock();

    Settlement settlement = answer(kick.receiptNumber(), ann, true);

    assertThat(settlement.reason()).isEqualTo(SettleReason.TIMEOUT);
    assertThat(settlement.outcome()).isEqualTo(SettleOutcome.TAKEN);
    assertThat(status(DOC)).isEqualTo(carols);
    assertThat(kickoffs(DOC)).isEmpty();
  }

  @Test
  void expiry_tells_of_a_pending_kick() {
    acquire(DOC, ann);
    kick(DOC, bob);
    acquire(OTHER_DOC, ann);
    kick(OTHER_DOC, carol);
    clock.advanceMillis(TTL + 1);

    List<Release> expired = Await.result(store.expireLocks(100));

    assertThat(expired).extracting(Release::kickPending).containsExactly(true, true);
  }

  @Test
  void every_transfer_of_a_chain_is_logged_once_in_order() {
    acquire(DOC, ann);
    List<Holder> chain = List.of(ann, bob, carol, annOtherTab, bob);
    for (int i = 1; i < chain.size(); i++) {
      Kick kick = kick(DOC, chain.get(i)).kick();
      clock.advanceMillis(10);
      if (i % 2 == 0) {
        answer(kick.receiptNumber(), chain.get(i - 1), true);
      } else {
        clock.advanceMillis(KICK_TIMEOUT);
        assertThat(Await.result(store.settleOverdueKicks(10))).hasSize(1);
      }
    }

    List<Kickoff> log = kickoffs(DOC);
    assertThat(log).hasSize(chain.size() - 1);
    for (int i = 0; i < log.size(); i++) {
      assertThat(log.get(i).oldSessionId()).isEqualTo(chain.get(i).sessionId());
      assertThat(log.get(i).newSessionId()).isEqualTo(chain.get(i + 1).sessionId());
    }
    assertThat(log).extracting(Kickoff::id).isSorted().doesNotHaveDuplicates();
    assertThat(status(DOC).holder()).isEqualTo(bob);
  }

  // ---------------------------------------------------------------- helpers

  protected Acquisition acquire(Resource resource, Holder who) {
    return Await.result(store.acquire(resource, who));
  }

  protected Release release(Resource resource, Holder who) {
    return Await.result(store.release(resource, who.sessionId()));
  }

  protected Lock status(Resource resource) {
    return Await.result(store.status(resource));
  }

  protected KickRequest kick(Resource resource, Holder kicker) {
    return Await.result(store.requestKick(resource, kicker));
  }

  protected Settlement answer(int receipt, Holder who, boolean kickMeOut) {
    return Await.result(store.answerKick(receipt, who.sessionId(), kickMeOut));
  }

  protected int answerFailure(int receipt, Holder who, boolean kickMeOut) {
    Throwable failure = Await.failure(store.answerKick(receipt, who.sessionId(), kickMeOut));
    assertThat(failure).isInstanceOf(ReplyException.class);
    return ((ReplyException) failure).failureCode();
  }

  protected List<Kickoff> kickoffs(Resource resource) {
    return Await.result(store.kickoffs(resource));
  }
}
