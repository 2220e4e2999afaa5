package io.parley.rooms;

import io.parley.shared.Await;
import io.parley.shared.Envelope;
import io.parley.shared.EventNames;
import io.parley.shared.MutableClock;
import io.parley.shared.RoomName;
import io.vertx.core.json.JsonObject;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The {@link RoomStore} contract. Every implementation gets a test class that extends this one
 * and says how to build a store.
 *
 * <p>Time is a {@link MutableClock} the store must read for every timestamp and every age
 * check, so expiry is tested by moving the clock, never by sleeping.
 */
public abstract class RoomStoreContract {

  protected static final RoomsOptions.HistoryPolicy DEFAULT_POLICY =
    new RoomsOptions.HistoryPolicy(500, 600_000, true);

  /**
   * A new, empty store that shares no state with the stores of other tests (for a shared
   * backend, a fresh key prefix or database). It stamps envelopes with {@code clock} and hands
   * every published envelope to {@code delivery}. The suite closes it after the test.
   */
  protected abstract RoomStore createStore(RoomsOptions.HistoryPolicy policy, MutableClock clock,
                                           Consumer<EncodedEnvelope> delivery);

  protected final MutableClock clock = new MutableClock();
  protected final DeliverySink delivered = new DeliverySink();
  private final List<RoomStore> opened = new ArrayList<>();
  private RoomStore store;

  protected static final RoomName ROOM = RoomName.of("board-1");
  protected static final RoomName OTHER_ROOM = RoomName.of("board-2");

  @BeforeEach
  void openDefaultStore() {
    store = open(DEFAULT_POLICY);
  }

  @AfterEach
  void closeStores() {
    for (RoomStore s : opened) {
      Await.result(s.close());
    }
  }

  /** A store with another history policy; closed after the test like the default one. */
  protected RoomStore open(RoomsOptions.HistoryPolicy policy) {
    RoomStore s = createStore(policy, clock, delivered);
    opened.add(s);
    return s;
  }

  /** Closes {@code s} with the stores of this test. */
  protected void closeAfterTest(RoomStore s) {
    opened.add(s);
  }

  /** The store each test starts with. */
  protected RoomStore store() {
    return store;
  }

  // ---------------------------------------------------------------- publish

  @Test
  void publish_assigns_consecutive_offsets_from_one() {
    List<Long> offsets = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      offsets.add(publish(store, ROOM, "item.created").offset());
    }

    assertThat(offsets).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void publish_keeps_one_epoch_for_the_stream() {
    Envelope first = publish(store, ROOM, "item.created");
    Envelope second = publish(store, ROOM, "item.updated");
    Envelope third = publish(store, ROOM, "item.deleted");

    assertThat(first.epoch()).isNotBlank();
    assertThat(List.of(second.epoch(), third.epoch())).containsOnly(first.epoch());
    assertThat(state(store, ROOM).epoch()).isEqualTo(first.epoch());
  }

  @Test
  void publish_stamps_the_store_clock_time() {
    Envelope first = publish(store, ROOM, "item.created");
    clock.advanceMillis(1_500);
    Envelope second = publish(store, ROOM, "item.updated");

    assertThat(first.ts()).isEqualTo(MutableClock.DEFAULT_START_MILLIS);
    assertThat(second.ts()).isEqualTo(MutableClock.DEFAULT_START_MILLIS + 1_500);
  }

  @Test
  void publish_never_lets_ts_decrease_when_the_clock_goes_back() {
    clock.advanceMillis(10_000);
    Envelope before = publish(store, ROOM, "item.created");
    clock.advanceMillis(-5_000);
    Envelope after = publish(store, ROOM, "item.updated");

    assertThat(after.ts()).isGreaterThanOrEqualTo(before.ts());
  }

  @Test
  void publish_returns_exactly_the_envelope_it_delivers() {
    JsonObject data = new JsonObject().put("title", "Fix the login page");
    Envelope.From from = new Envelope.From("u1", "s1");

    Envelope returned = Await.result(store.publish(ROOM, new RoomStore.Draft("task.created", data, from)));

    assertThat(returned.destination()).isEqualTo(ROOM.value());
    assertThat(returned.event()).isEqualTo("task.created");
    assertThat(returned.data()).isEqualTo(data);
    assertThat(returned.from()).isEqualTo(from);
    assertThat(delivered.awaitCount(1)).containsExactly(returned);
  }

  @Test
  void publish_of_a_server_event_has_no_sender() {
    Envelope returned = Await.result(store.publish(ROOM, new RoomStore.Draft("board.archived", null, null)));

    assertThat(returned.from()).isNull();
    assertThat(delivered.awaitCount(1)).containsExactly(returned);
  }

  @Test
  void concurrent_publishes_are_delivered_once_each_in_offset_order() throws Exception {
    int threads = 4;
    int perThread = 250;
    List<Envelope> returned = runConcurrently(threads, thread -> {
      List<Envelope> mine = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        mine.add(publish(store, ROOM, "item.updated"));
      }
      return mine;
    });

    List<Long> deliveredOffsets = delivered.awaitCount(threads * perThread).stream()
      .map(Envelope::offset).toList();

    List<Long> expected = LongStream.rangeClosed(1, threads * perThread).boxed().toList();
    assertThat(deliveredOffsets).containsExactlyElementsOf(expected);
    assertThat(returned).extracting(Envelope::offset).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(returned).extracting(Envelope::epoch).containsOnly(returned.get(0).epoch());
  }

  @Test
  void rooms_have_independent_offsets() {
    Envelope a1 = publish(store, ROOM, "item.created");
    Envelope b1 = publish(store, OTHER_ROOM, "item.created");
    Envelope a2 = publish(store, ROOM, "item.updated");
    Envelope b2 = publish(store, OTHER_ROOM, "item.updated");
    Envelope b3 = publish(store, OTHER_ROOM, "item.deleted");

    assertThat(List.of(a1.offset(), a2.offset())).containsExactly(1L, 2L);
    assertThat(List.of(b1.offset(), b2.offset(), b3.offset())).containsExactly(1L, 2L, 3L);
    assertThat(state(store, ROOM).offset()).isEqualTo(2);
    assertThat(state(store, OTHER_ROOM).offset()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- history

  @Test
  void history_after_an_offset_returns_every_later_envelope_in_order() {
    List<Envelope> published = publishMany(store, ROOM, 5);

    HistoryPage page = history(store, ROOM, published.get(0).epoch(), 2);

    assertThat(page.recovered()).isTrue();
    assertThat(page.epoch()).isEqualTo(published.get(0).epoch());
    assertThat(page.events()).containsExactlyElementsOf(published.subList(2, 5));
  }

  @Test
  void history_at_the_current_offset_is_recovered_and_empty() {
    List<Envelope> published = publishMany(store, ROOM, 3);

    HistoryPage page = history(store, ROOM, published.get(0).epoch(), 3);

    assertThat(page.recovered()).isTrue();
    assertThat(page.events()).isEmpty();
  }

  @Test
  void history_ahead_of_the_stream_is_not_recovered() {
    List<Envelope> published = publishMany(store, ROOM, 3);

    HistoryPage page = history(store, ROOM, published.get(0).epoch(), 4);

    assertThat(page.recovered()).isFalse();
    assertThat(page.events()).isEmpty();
  }

  @Test
  void history_of_another_epoch_is_not_recovered_and_names_the_current_epoch() {
    List<Envelope> published = publishMany(store, ROOM, 3);
    String stale = published.get(0).epoch() + "-stale";

    HistoryPage page = history(store, ROOM, stale, 1);

    assertThat(page.recovered()).isFalse();
    assertThat(page.events()).isEmpty();
    assertThat(page.epoch()).isEqualTo(published.get(0).epoch());
  }

  @Test
  void history_with_no_epoch_from_offset_zero_returns_the_stream_from_its_start() {
    List<Envelope> published = publishMany(store, ROOM, 3);

    HistoryPage page = history(store, ROOM, null, 0);

    assertThat(page.recovered()).isTrue();
    assertThat(page.epoch()).isEqualTo(published.get(0).epoch());
    assertThat(page.events()).containsExactlyElementsOf(published);
  }

  @Test
  void history_of_an_unknown_room_from_the_start_is_recovered_and_empty() {
    HistoryPage page = history(store, ROOM, null, 0);

    assertThat(page.recovered()).isTrue();
    assertThat(page.events()).isEmpty();
  }

  @Test
  void history_of_an_unknown_room_is_not_recovered_for_a_client_that_saw_a_stream() {
    HistoryPage page = history(store, ROOM, "some-epoch", 3);

    assertThat(page.recovered()).isFalse();
    assertThat(page.events()).isEmpty();
  }

  @Test
  void history_whose_gap_was_dropped_by_max_size_is_not_recovered_and_returns_nothing() {
    RoomStore small = open(new RoomsOptions.HistoryPolicy(3, 600_000, true));
    List<Envelope> published = publishMany(small, ROOM, 5); // keeps 3, 4, 5

    HistoryPage page = history(small, ROOM, published.get(0).epoch(), 1); // needs 2..5

    assertThat(page.recovered()).isFalse();
    assertThat(page.events()).isEmpty();
    assertThat(page.epoch()).isEqualTo(published.get(0).epoch());
  }

  @Test
  void history_whose_gap_is_still_within_max_size_is_recovered() {
    RoomStore small = open(new RoomsOptions.HistoryPolicy(3, 600_000, true));
    List<Envelope> published = publishMany(small, ROOM, 5); // keeps 3, 4, 5

    HistoryPage page = history(small, ROOM, published.get(0).epoch(), 2); // needs 3..5

    assertThat(page.recovered()).isTrue();
    assertThat(page.events()).containsExactlyElementsOf(published.subList(2, 5));
  }

  @Test
  void history_is_never_recovered_across_a_gap_when_max_size_is_zero() {
    RoomStore none = open(new RoomsOptions.HistoryPolicy(0, 600_000, true));
    join(none, ROOM, "u1", "c1");
    List<Envelope> published = publishMany(none, ROOM, 2);

    HistoryPage fromStart = history(none, ROOM, published.get(0).epoch(), 0);
    HistoryPage upToDate = history(none, ROOM, published.get(0).epoch(), 2);

    assertThat(fromStart.recovered()).isFalse();
    assertThat(fromStart.events()).isEmpty();
    assertThat(upToDate.recovered()).isTrue();
    assertThat(upToDate.events()).isEmpty();
  }

  @Test
  void history_older_than_max_age_is_not_recovered() {
    RoomStore shortLived = open(new RoomsOptions.HistoryPolicy(500, 1_000, true));
    join(shortLived, ROOM, "u1", "c1");
    List<Envelope> published = publishMany(shortLived, ROOM, 2);

    clock.advance(Duration.ofMillis(1_001));
    HistoryPage page = history(shortLived, ROOM, published.get(0).epoch(), 0);

    assertThat(page.recovered()).isFalse();
    assertThat(page.events()).isEmpty();
  }

  @Test
  void history_within_max_age_is_recovered() {
    RoomStore shortLived = open(new RoomsOptions.HistoryPolicy(500, 1_000, true));
    List<Envelope> published = publishMany(shortLived, ROOM, 2);

    clock.advance(Duration.ofMillis(999));
    HistoryPage page = history(shortLived, ROOM, published.get(0).epoch(), 0);

    assertThat(page.recovered()).isTrue();
    assertThat(page.events()).containsExactlyElementsOf(published);
  }

  @Test
  void history_drops_only_the_envelopes_older_than_max_age() {
    RoomStore shortLived = open(new RoomsOptions.HistoryPolicy(500, 1_000, true));
    Envelope old = publish(shortLived, ROOM, "item.created");
    clock.advanceMillis(600);
    Envelope recent = publish(shortLived, ROOM, "item.updated");
    clock.advanceMillis(600); // old is 1200 ms old, recent 600 ms

    HistoryPage sinceOld = history(shortLived, ROOM, old.epoch(), 1);
    HistoryPage fromStart = history(shortLived, ROOM, old.epoch(), 0);

    assertThat(sinceOld.recovered()).isTrue();
    assertThat(sinceOld.events()).containsExactly(recent);
    assertThat(fromStart.recovered()).isFalse();
    assertThat(fromStart.events()).isEmpty();
  }

  // ---------------------------------------------------------------- last server event

  @Test
  void the_last_server_event_is_the_latest_publish_without_a_sending_user() {
    assertThat(Await.result(store.lastServerEvent(ROOM))).as("none yet").isNull();
    publish(store, ROOM, "first.server");
    Envelope last = publish(store, ROOM, "second.server");
    Await.result(store.publish(ROOM, new RoomStore.Draft("client.event", 1, new Envelope.From("u1", "s1"))));

    assertThat(Await.result(store.lastServerEvent(ROOM))).as("a client's publish does not count").isEqualTo(last);
    assertThat(Await.result(store.lastServerEvent(OTHER_ROOM))).isNull();

    Envelope skipping = Await.result(store.publish(ROOM, new RoomStore.Draft("third.server", 3, new Envelope.From(null, "1.2"))));
    assertThat(Await.result(store.lastServerEvent(ROOM)))
      .as("server code's publish that only names a socket to skip counts").isEqualTo(skipping);
  }

  @Test
  void the_last_server_event_is_kept_30_minutes_whatever_the_history_keeps() {
    RoomStore noHistory = open(new RoomsOptions.HistoryPolicy(0, 1_000, false));
    Envelope last = publish(noHistory, ROOM, "poll.opened");

    clock.advanceMillis(RoomStore.LAST_SERVER_EVENT_MS);
    assertThat(Await.result(noHistory.lastServerEvent(ROOM))).as("at 30 minutes").isEqualTo(last);
    clock.advanceMillis(1);
    assertThat(Await.result(noHistory.lastServerEvent(ROOM))).as("after 30 minutes").isNull();
  }

  // ---------------------------------------------------------------- presence

  @Test
  void join_reports_only_the_users_first_connection() {
    assertThat(join(store, ROOM, "u1", "c1")).isTrue();
    assertThat(join(store, ROOM, "u1", "c2")).isFalse();
    assertThat(join(store, ROOM, "u1", "c3")).isFalse();
  }

  @Test
  void leave_returns_the_member_only_for_the_users_last_connection() {
    join(store, ROOM, "u1", "c1");
    join(store, ROOM, "u1", "c2");

    Member first = leave(store, ROOM, "c1");
    Member last = leave(store, ROOM, "c2");

    assertThat(first).isNull();
    assertThat(last).isNotNull();
    assertThat(last.userId()).isEqualTo("u1");
    assertThat(last.name()).isEqualTo(nameOf("u1"));
  }

  @Test
  void users_are_counted_separately() {
    assertThat(join(store, ROOM, "u1", "c1")).isTrue();
    assertThat(join(store, ROOM, "u2", "c2")).isTrue();

    assertThat(leave(store, ROOM, "c1")).extracting(Member::userId).isEqualTo("u1");
    assertThat(leave(store, ROOM, "c2")).extracting(Member::userId).isEqualTo("u2");
  }

  @Test
  void state_lists_the_users_with_their_connection_counts() {
    join(store, ROOM, "u1", "c1");
    join(store, ROOM, "u2", "c2");
    join(store, ROOM, "u1", "c3");

    assertThat(state(store, ROOM).members()).containsExactlyInAnyOrder(
      new RoomState.Presence("u1", nameOf("u1"), 2, true),
      new RoomState.Presence("u2", nameOf("u2"), 1, true));
  }

  @Test
  void a_members_info_comes_with_their_first_connection_shows_in_state_and_goes_with_their_last() {
    JsonObject info = new JsonObject().put("name", "Ann").put("avatar", "ann.png");
    assertThat(Await.result(store.join(ROOM, new Member("u1", "Ann", "s1", "c1", "node-1", info, null))).first()).isTrue();
    Await.result(store.join(ROOM, new Member("u1", "Ann", "s2", "c2", "node-1", new JsonObject().put("later", true), null)));
    join(store, ROOM, "u2", "c3");

    assertThat(state(store, ROOM).members()).as("the first connection's info; none for a member without").containsExactlyInAnyOrder(
      new RoomState.Presence("u1", "Ann", 2, true, info),
      new RoomState.Presence("u2", nameOf("u2"), 1, true));

    leave(store, ROOM, "c1");
    leave(store, ROOM, "c2");
    join(store, ROOM, "u1", "c4");
    assertThat(state(store, ROOM).members()).as("forgotten with the last connection").contains(
      new RoomState.Presence("u1", nameOf("u1"), 1, true));
  }

  @Test
  void state_forgets_a_user_whose_last_connection_left() {
    join(store, ROOM, "u1", "c1");
    join(store, ROOM, "u2", "c2");
    join(store, ROOM, "u2", "c3");

    leave(store, ROOM, "c1");
    leave(store, ROOM, "c2");

    assertThat(state(store, ROOM).members()).containsExactly(
      new RoomState.Presence("u2", nameOf("u2"), 1, true));
  }

  @Test
  void leaving_a_room_never_joined_returns_null_and_changes_nothing() {
    join(store, ROOM, "u1", "c1");
    RoomState before = state(store, ROOM);

    assertThat(leave(store, OTHER_ROOM, "c1")).isNull();
    assertThat(leave(store, ROOM, "c-unknown")).isNull();

    assertThat(state(store, ROOM)).isEqualTo(before);
    assertThat(state(store, OTHER_ROOM)).isNull();
    assertThat(leave(store, ROOM, "c1")).extracting(Member::userId).isEqualTo("u1");
  }

  @Test
  void concurrent_joins_and_leaves_report_first_and_last_exactly_once() throws Exception {
    int threads = 4;
    int perThread = 50;

    List<Boolean> joins = runConcurrently(threads, thread -> {
      List<Boolean> firsts = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        firsts.add(join(store, ROOM, "u1", "t" + thread + "-c" + i));
      }
      return firsts;
    });
    assertThat(joins).filteredOn(first -> first).hasSize(1);
    assertThat(state(store, ROOM).members()).singleElement()
      .extracting(RoomState.Presence::connections).isEqualTo(threads * perThread);

    List<Member> leaves = runConcurrently(threads, thread -> {
      List<Member> lasts = new ArrayList<>();
      for (int i = 0; i < perThread; i++) {
        lasts.add(leave(store, ROOM, "t" + thread + "-c" + i));
      }
      return lasts;
    });
    assertThat(leaves).filteredOn(last -> last != null).singleElement()
      .extracting(Member::userId).isEqualTo("u1");
  }

  @Test
  void a_join_reports_the_room_occupied_only_for_its_first_member() {
    assertThat(joinDeciding(store, ROOM, "u1", "c1", null)).isEqualTo(new RoomStore.Joined(true, true));
    assertThat(joinDeciding(store, ROOM, "u1", "c2", null)).as("the same user again").isEqualTo(new RoomStore.Joined(false, false));
    assertThat(joinDeciding(store, ROOM, "u2", "c3", null)).as("another user").isEqualTo(new RoomStore.Joined(true, false));
    assertThat(joinDeciding(store, ROOM, "u2", "c3", null)).as("the same connection again").isEqualTo(new RoomStore.Joined(false, false));
    assertThat(joinDeciding(store, OTHER_ROOM, "u1", "c1", null)).as("another room").isEqualTo(new RoomStore.Joined(true, true));
  }

  @Test
  void a_leave_reports_the_room_vacated_only_for_its_last_member() {
    join(store, ROOM, "u1", "c1");
    join(store, ROOM, "u1", "c2");
    join(store, ROOM, "u2", "c3");

    assertThat(leaveDeciding(store, ROOM, "c1")).as("u1 still has c2").isNull();
    assertThat(leaveDeciding(store, ROOM, "c2").vacated()).as("u2 is still there").isFalse();
    assertThat(leaveDeciding(store, ROOM, "c3").vacated()).isTrue();

    assertThat(joinDeciding(store, ROOM, "u1", "c4", null).occupied()).as("occupied again").isTrue();
  }

  @Test
  void a_leave_answers_the_channel_the_leaving_connection_joined_with() {
    joinDeciding(store, ROOM, "u1", "c1", "presence-" + ROOM.value());
    joinDeciding(store, ROOM, "u1", "c2", "private-" + ROOM.value());
    joinDeciding(store, ROOM, "u2", "c3", null);

    leave(store, ROOM, "c2");
    assertThat(leave(store, ROOM, "c1").channel()).isEqualTo("presence-" + ROOM.value());
    assertThat(leave(store, ROOM, "c3").channel()).as("a bridge connection named none").isNull();
    joinDeciding(store, ROOM, "u1", "c1", null);
    assertThat(leave(store, ROOM, "c1").channel()).as("forgotten when it left").isNull();
  }

  @Test
  void racing_joins_and_leaves_of_many_users_report_the_room_occupied_and_vacated_exactly_once() throws Exception {
    int threads = 4;
    List<RoomStore.Joined> joins = runConcurrently(threads, thread -> {
      List<RoomStore.Joined> decided = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        decided.add(joinDeciding(store, ROOM, "u" + thread + "-" + i, "c" + thread + "-" + i, null));
      }
      return decided;
    });
    assertThat(joins).filteredOn(RoomStore.Joined::occupied).hasSize(1);

    List<RoomStore.Left> leaves = runConcurrently(threads, thread -> {
      List<RoomStore.Left> decided = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        decided.add(leaveDeciding(store, ROOM, "c" + thread + "-" + i));
      }
      return decided;
    });
    assertThat(leaves).hasSize(threads * 25).filteredOn(RoomStore.Left::vacated).hasSize(1);
  }

  // ---------------------------------------------------------------- active flag

  @Test
  void a_user_whose_only_connection_is_inactive_is_inactive() {
    join(store, ROOM, "u1", "c1");

    Await.result(store.setActive("c1", false));

    assertThat(presenceOf(store, ROOM, "u1").active()).isFalse();
  }

  @Test
  void a_user_is_active_while_any_of_their_connections_is_active() {
    join(store, ROOM, "u1", "c1");
    join(store, ROOM, "u1", "c2");

    Await.result(store.setActive("c1", false));

    assertThat(presenceOf(store, ROOM, "u1").active()).isTrue();
  }

  @Test
  void set_active_true_makes_the_user_active_again() {
    join(store, ROOM, "u1", "c1");
    Await.result(store.setActive("c1", false));

    Await.result(store.setActive("c1", true));

    assertThat(presenceOf(store, ROOM, "u1").active()).isTrue();
  }

  @Test
  void set_active_applies_to_every_room_of_the_connection() {
    join(store, ROOM, "u1", "c1");
    join(store, OTHER_ROOM, "u1", "c1");
    join(store, OTHER_ROOM, "u2", "c2");

    Await.result(store.setActive("c1", false));

    assertThat(presenceOf(store, ROOM, "u1").active()).isFalse();
    assertThat(presenceOf(store, OTHER_ROOM, "u1").active()).isFalse();
    assertThat(presenceOf(store, OTHER_ROOM, "u2").active()).isTrue();
  }

  // ---------------------------------------------------------------- state and room lifetime

  @Test
  void state_of_a_room_with_neither_members_nor_history_is_null() {
    assertThat(state(store, ROOM)).isNull();

    join(store, ROOM, "u1", "c1");
    leave(store, ROOM, "c1");

    assertThat(state(store, ROOM)).isNull();
  }

  @Test
  void state_of_a_room_with_members_but_no_envelopes_starts_at_offset_zero() {
    join(store, ROOM, "u1", "c1");

    RoomState state = state(store, ROOM);

    assertThat(state.room()).isEqualTo(ROOM.value());
    assertThat(state.offset()).isZero();
    assertThat(state.lastBroadcastTimestamp()).isZero();
  }

  @Test
  void state_reports_the_stream_position_and_last_broadcast_timestamp() {
    join(store, ROOM, "u1", "c1");
    publish(store, ROOM, "item.created");
    clock.advanceMillis(2_000);
    Envelope last = publish(store, ROOM, "item.updated");

    RoomState state = state(store, ROOM);

    assertThat(state.epoch()).isEqualTo(last.epoch());
    assertThat(state.offset()).isEqualTo(2);
    assertThat(state.lastBroadcastTimestamp()).isEqualTo(last.ts());
  }

  @Test
  void a_room_kept_for_its_history_has_a_state_without_members() {
    join(store, ROOM, "u1", "c1");
    List<Envelope> published = publishMany(store, ROOM, 2);
    leave(store, ROOM, "c1");

    RoomState state = state(store, ROOM);

    assertThat(state).isNotNull();
    assertThat(state.members()).isEmpty();
    assertThat(state.epoch()).isEqualTo(published.get(0).epoch());
    assertThat(state.offset()).isEqualTo(2);
    assertThat(history(store, ROOM, published.get(0).epoch(), 0).events()).containsExactlyElementsOf(published);
  }

  @Test
  void state_of_an_empty_room_whose_history_aged_out_is_null() {
    RoomStore shortLived = open(new RoomsOptions.HistoryPolicy(500, 1_000, true));
    join(shortLived, ROOM, "u1", "c1");
    publish(shortLived, ROOM, "item.created");
    leave(shortLived, ROOM, "c1");

    clock.advanceMillis(1_001);

    assertThat(state(shortLived, ROOM)).isNull();
  }

  @Test
  void a_kept_room_continues_its_stream_when_someone_publishes_again() {
    join(store, ROOM, "u1", "c1");
    Envelope before = publish(store, ROOM, "item.created");
    leave(store, ROOM, "c1");

    Envelope after = publish(store, ROOM, "item.updated");

    assertThat(after.epoch()).isEqualTo(before.epoch());
    assertThat(after.offset()).isEqualTo(2);
  }

  @Test
  void a_room_not_kept_when_empty_loses_history_and_epoch_with_its_last_member() {
    RoomStore dropping = open(new RoomsOptions.HistoryPolicy(500, 600_000, false));
    join(dropping, ROOM, "u1", "c1");
    List<Envelope> published = publishMany(dropping, ROOM, 3);
    String oldEpoch = published.get(0).epoch();

    leave(dropping, ROOM, "c1");

    assertThat(state(dropping, ROOM)).isNull();
    HistoryPage page = history(dropping, ROOM, oldEpoch, 3);
    assertThat(page.recovered()).isFalse();
    assertThat(page.events()).isEmpty();

    Envelope next = publish(dropping, ROOM, "item.created");
    assertThat(next.epoch()).isNotEqualTo(oldEpoch);
    assertThat(next.offset()).isEqualTo(1);
    assertThat(history(dropping, ROOM, oldEpoch, 3).recovered()).isFalse();
  }

  @Test
  void a_room_not_kept_when_empty_keeps_its_stream_while_a_member_remains() {
    RoomStore dropping = open(new RoomsOptions.HistoryPolicy(500, 600_000, false));
    join(dropping, ROOM, "u1", "c1");
    join(dropping, ROOM, "u2", "c2");
    Envelope before = publish(dropping, ROOM, "item.created");

    leave(dropping, ROOM, "c1");
    Envelope after = publish(dropping, ROOM, "item.updated");

    assertThat(after.epoch()).isEqualTo(before.epoch());
    assertThat(after.offset()).isEqualTo(2);
    assertThat(history(dropping, ROOM, before.epoch(), 0).events()).containsExactly(before, after);
  }

  @Test
  void member_count_counts_users_not_connections() {
    assertThat(Await.result(store().memberCount(ROOM))).isZero();
    join(store(), ROOM, "u1", "c1");
    join(store(), ROOM, "u1", "c2");
    join(store(), ROOM, "u2", "c3");
    assertThat(Await.result(store().memberCount(ROOM))).isEqualTo(2);
    leave(store(), ROOM, "c1");
    leave(store(), ROOM, "c3");
    assertThat(Await.result(store().memberCount(ROOM))).isEqualTo(1);
  }

  @Test
  void has_member_is_true_while_the_user_has_any_connection_in_the_room() {
    assertThat(Await.result(store().hasMember(ROOM, "u1"))).isFalse();
    join(store(), ROOM, "u1", "c1");
    join(store(), ROOM, "u1", "c2");
    join(store(), OTHER_ROOM, "u2", "c3");

    assertThat(Await.result(store().hasMember(ROOM, "u1"))).isTrue();
    assertThat(Await.result(store().hasMember(ROOM, "u2"))).as("a member of another room").isFalse();
    leave(store(), ROOM, "c1");
    assertThat(Await.result(store().hasMember(ROOM, "u1"))).as("one connection left").isTrue();
    leave(store(), ROOM, "c2");
    assertThat(Await.result(store().hasMember(ROOM, "u1"))).isFalse();
  }

  @Test
  void has_member_is_false_after_the_users_node_was_evicted() {
    Await.result(store().renewLease("node-a", 1_000));
    joinOn(store(), ROOM, "u1", "c1", "node-a");
    clock.advanceMillis(1_001);
    Await.result(store().evictExpiredNodes());

    assertThat(Await.result(store().hasMember(ROOM, "u1"))).isFalse();
  }

  @Test
  void occupied_rooms_are_those_with_members_in_name_order_with_their_user_counts() {
    join(store(), RoomName.of("board-b"), "u1", "c1");
    join(store(), RoomName.of("board-b"), "u1", "c2");
    join(store(), RoomName.of("board-b"), "u2", "c3");
    join(store(), RoomName.of("board-a"), "u3", "c4");
    publish(store(), RoomName.of("board-history-only"), "item.created");

    assertThat(Await.result(store().occupiedRooms("", 10))).as("users, not connections; a room with history alone is empty")
      .containsExactly(new RoomStore.Occupied(RoomName.of("board-a"), 1), new RoomStore.Occupied(RoomName.of("board-b"), 2));
  }

  @Test
  void occupied_rooms_are_filtered_by_name_prefix_and_bounded_by_the_limit() {
    for (String room : List.of("org-1", "board-1", "board-2", "board-3", "board-30", "boards")) {
      join(store(), RoomName.of(room), "u1", "c-" + room);
    }

    assertThat(Await.result(store().occupiedRooms("board-", 10))).extracting(o -> o.room().value())
      .containsExactly("board-1", "board-2", "board-3", "board-30");
    assertThat(Await.result(store().occupiedRooms("board-3", 10))).extracting(o -> o.room().value())
      .containsExactly("board-3", "board-30");
    assertThat(Await.result(store().occupiedRooms("board-", 2))).extracting(o -> o.room().value())
      .containsExactly("board-1", "board-2");
    assertThat(Await.result(store().occupiedRooms("lock-", 10))).isEmpty();
  }

  @Test
  void a_room_is_no_longer_occupied_once_its_last_member_left_or_went_with_a_dead_node() {
    Await.result(store().renewLease("node-a", 1_000));
    join(store(), ROOM, "u1", "c1");
    join(store(), ROOM, "u1", "c2");
    joinOn(store(), OTHER_ROOM, "u2", "c3", "node-a");
    publish(store(), ROOM, "item.created");

    leave(store(), ROOM, "c1");
    assertThat(Await.result(store().occupiedRooms("", 10))).extracting(o -> o.room().value()).containsExactly("board-1", "board-2");
    leave(store(), ROOM, "c2");
    clock.advanceMillis(1_001);
    Await.result(store().evictExpiredNodes());

    assertThat(Await.result(store().occupiedRooms("", 10))).as("kept for its history, but empty").isEmpty();
  }

  // ---------------------------------------------------------------- announcements

  @Test
  void announce_reaches_delivery_without_an_offset_or_a_place_in_history() {
    join(store, ROOM, "u1", "c1");
    Envelope presence = Envelope.presence(ROOM.value(), EventNames.PRESENCE_JOIN, "u1", nameOf("u1"), clock.millis());

    Await.result(store.announce(presence));
    Envelope published = publish(store, ROOM, "item.created");

    assertThat(delivered.awaitCount(2)).containsExactly(presence, published);
    assertThat(published.offset()).isEqualTo(1);
    assertThat(state(store, ROOM).offset()).isEqualTo(1);
    assertThat(history(store, ROOM, null, 0).events()).containsExactly(published);
  }

  @Test
  void announcing_in_an_unknown_room_does_not_create_it() {
    Envelope presence = Envelope.presence(ROOM.value(), EventNames.PRESENCE_LEAVE, "u1", nameOf("u1"), clock.millis());

    Await.result(store.announce(presence));

    assertThat(delivered.awaitCount(1)).containsExactly(presence);
    assertThat(state(store, ROOM)).isNull();
  }

  // ---------------------------------------------------------------- node leases

  @Test
  void renewing_tells_whether_the_lease_was_still_held() {
    assertThat(Await.result(store.renewLease("node-a", 10_000))).as("the first lease").isEqualTo(RoomStore.Lease.NEW);
    clock.advanceMillis(5_000);
    assertThat(Await.result(store.renewLease("node-a", 10_000))).as("renewed in time").isEqualTo(RoomStore.Lease.HELD);
    clock.advanceMillis(20_000);
    assertThat(Await.result(store.renewLease("node-a", 10_000))).as("late, but nobody evicted it").isEqualTo(RoomStore.Lease.HELD);
  }

  @Test
  void a_node_that_was_evicted_learns_it_when_it_renews() {
    Await.result(store.renewLease("node-a", 10_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");
    clock.advanceMillis(10_001);
    Await.result(store.evictExpiredNodes());

    assertThat(Await.result(store.renewLease("node-a", 10_000))).as("its connections are gone from presence")
      .isEqualTo(RoomStore.Lease.EVICTED);
    assertThat(Await.result(store.renewLease("node-a", 10_000))).as("and it holds a fresh lease now").isEqualTo(RoomStore.Lease.HELD);
  }

  @Test
  void evicting_a_dead_node_takes_its_connections_out_of_every_room_exactly_once() {
    Await.result(store.renewLease("node-a", 10_000));
    Await.result(store.renewLease("node-b", 60_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");
    joinOn(store, OTHER_ROOM, "u1", "c1", "node-a");
    joinOn(store, ROOM, "u2", "c2", "node-a");
    joinOn(store, ROOM, "u2", "c3", "node-b"); // u2 stays in ROOM through c3
    joinOn(store, ROOM, "u3", "c4", "node-b");

    clock.advanceMillis(10_001);
    List<RoomStore.Departure> departures = Await.result(store.evictExpiredNodes());

    assertThat(departures)
      .extracting(d -> d.room().value(), d -> d.member().userId(), d -> d.member().name(), RoomStore.Departure::vacated)
      .containsExactlyInAnyOrder(
        tuple(ROOM.value(), "u1", nameOf("u1"), false),
        tuple(OTHER_ROOM.value(), "u1", nameOf("u1"), true));
    assertThat(state(store, ROOM).members()).containsExactlyInAnyOrder(
      new RoomState.Presence("u2", nameOf("u2"), 1, true),
      new RoomState.Presence("u3", nameOf("u3"), 1, true));
    assertThat(state(store, OTHER_ROOM)).isNull();
    assertThat(leave(store, ROOM, "c1")).isNull();
    assertThat(leave(store, ROOM, "c2")).isNull();
    assertThat(Await.result(store.evictExpiredNodes())).isEmpty();
  }

  @Test
  void an_eviction_answers_the_channel_each_departed_connection_joined_with() {
    Await.result(store.renewLease("node-a", 10_000));
    Await.result(store.join(ROOM, new Member("u1", nameOf("u1"), "s1", "c1", "node-a", null, "presence-" + ROOM.value())));
    Await.result(store.join(OTHER_ROOM, new Member("u1", nameOf("u1"), "s1", "c1", "node-a")));

    clock.advanceMillis(10_001);

    assertThat(Await.result(store.evictExpiredNodes()))
      .extracting(d -> d.room().value(), d -> d.member().connectionId(), d -> d.member().channel())
      .containsExactlyInAnyOrder(tuple(ROOM.value(), "c1", "presence-" + ROOM.value()), tuple(OTHER_ROOM.value(), "c1", null));
  }

  @Test
  void a_lease_runs_out_when_the_clock_reaches_its_expiry() {
    Await.result(store.renewLease("node-a", 10_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");

    clock.advanceMillis(9_999);
    assertThat(Await.result(store.evictExpiredNodes())).isEmpty();
    assertThat(presenceOf(store, ROOM, "u1").connections()).isEqualTo(1);

    clock.advanceMillis(1);
    assertThat(Await.result(store.evictExpiredNodes()))
      .extracting(d -> d.room().value(), d -> d.member().userId())
      .containsExactly(tuple(ROOM.value(), "u1"));
  }

  @Test
  void a_node_that_keeps_renewing_its_lease_is_never_evicted() {
    Await.result(store.renewLease("node-a", 10_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");

    for (int i = 0; i < 5; i++) {
      clock.advanceMillis(8_000);
      Await.result(store.renewLease("node-a", 10_000));
      assertThat(Await.result(store.evictExpiredNodes())).isEmpty();
    }

    assertThat(presenceOf(store, ROOM, "u1").connections()).isEqualTo(1);
  }

  @Test
  void a_connection_that_left_before_its_node_died_is_not_reported_again() {
    Await.result(store.renewLease("node-a", 10_000));
    joinOn(store, ROOM, "u1", "c1", "node-a");
    joinOn(store, ROOM, "u2", "c2", "node-a");
    assertThat(leave(store, ROOM, "c1")).isNotNull();

    clock.advanceMillis(10_001);

    assertThat(Await.result(store.evictExpiredNodes()))
      .extracting(d -> d.member().userId())
      .containsExactly("u2");
  }

  // ---------------------------------------------------------------- helpers

  protected static String nameOf(String userId) {
    return "Name of " + userId;
  }

  protected static boolean join(RoomStore store, RoomName room, String userId, String connectionId) {
    return joinDeciding(store, room, userId, connectionId, null).first();
  }

  /** Joins through a connection that subscribed with {@code channel} (null: a bridge connection), answering all it decided. */
  protected static RoomStore.Joined joinDeciding(RoomStore store, RoomName room, String userId, String connectionId, String channel) {
    return Await.result(store.join(room, new Member(userId, nameOf(userId), "session-" + connectionId, connectionId, "node-1", null, channel)));
  }

  /** Joins through a connection held by {@code nodeId}'s bridge. */
  protected static boolean joinOn(RoomStore store, RoomName room, String userId, String connectionId, String nodeId) {
    return Await.result(store.join(room, new Member(userId, nameOf(userId), "session-" + connectionId, connectionId, nodeId)))
      .first();
  }

  /** Who left when it was the user's last connection, else null. */
  protected static Member leave(RoomStore store, RoomName room, String connectionId) {
    RoomStore.Left left = leaveDeciding(store, room, connectionId);
    return left == null ? null : left.member();
  }

  protected static RoomStore.Left leaveDeciding(RoomStore store, RoomName room, String connectionId) {
    return Await.result(store.leave(room, connectionId));
  }

  protected static Envelope publish(RoomStore store, RoomName room, String event) {
    return Await.result(store.publish(room, new RoomStore.Draft(event, new JsonObject().put("n", event), null)));
  }

  protected static List<Envelope> publishMany(RoomStore store, RoomName room, int count) {
    List<Envelope> published = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      published.add(Await.result(store.publish(room,
        new RoomStore.Draft("item.updated", new JsonObject().put("n", i), null))));
    }
    return published;
  }

  protected static RoomState state(RoomStore store, RoomName room) {
    return Await.result(store.state(room));
  }

  protected static HistoryPage history(RoomStore store, RoomName room, String epoch, long sinceOffset) {
    return Await.result(store.history(room, epoch, sinceOffset));
  }

  protected static RoomState.Presence presenceOf(RoomStore store, RoomName room, String userId) {
    return state(store, room).members().stream()
      .filter(p -> p.userId().equals(userId))
      .findFirst()
      .orElseThrow(() -> new AssertionError(userId + " is not in " + room));
  }

  /** One thread's share of a concurrent test, told which thread it is (0, 1, ...). */
  @FunctionalInterface
  protected interface Worker<T> {
    List<T> run(int thread) throws Exception;
  }

  /** Runs {@code worker} on {@code threads} threads released together, and gathers their results. */
  protected static <T> List<T> runConcurrently(int threads, Worker<T> worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<List<T>>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        running.add(pool.submit(() -> {
          start.await();
          return worker.run(thread);
        }));
      }
      start.countDown();
      List<T> all = new ArrayList<>();
      for (java.util.concurrent.Future<List<T>> r : running) {
        all.addAll(r.get(Await.TIMEOUT_SECONDS * 4, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }
}
