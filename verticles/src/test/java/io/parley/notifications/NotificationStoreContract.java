package io.parley.notifications;

import io.parley.notifications.NotificationStore.Draft;
import io.parley.notifications.NotificationStore.Notification;
import io.parley.notifications.NotificationStore.Replay;
import io.parley.notifications.NotificationStore.Subscriptions;
import io.parley.shared.Await;
import io.parley.shared.Failure;
import io.parley.shared.MutableClock;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link NotificationStore} contract. Every implementation gets a test class that extends
 * this one and says how to build a store, and a peer: another store over the same data, as
 * another node would have (for a store of one node, the store itself).
 *
 * <p>Time is a {@link MutableClock} the store must read for every stamp and expiry decision:
 * expiry is tested by moving the clock, never by sleeping.
 */
public abstract class NotificationStoreContract {

  protected static final long TTL = 60_000;
  protected static final long SESSION_TTL = 3_600_000;
  protected static final NotificationsOptions OPTIONS = new NotificationsOptions(TTL, SESSION_TTL, 1_000, 100, 10, 5, 1024, 50);

  /** A new, empty store sharing nothing with other tests' stores. */
  protected abstract NotificationStore createStore(MutableClock clock, NotificationsOptions options);

  /** Another store over {@code store}'s data, as on another node. */
  protected abstract NotificationStore createPeer(NotificationStore store, MutableClock clock, NotificationsOptions options);

  protected final MutableClock clock = new MutableClock();
  protected NotificationStore store;
  private final List<NotificationStore> opened = new ArrayList<>();

  protected final String joe = UUID.randomUUID().toString();
  protected final String sam = UUID.randomUUID().toString();

  @BeforeEach
  void createStore() {
    store = createStore(clock, OPTIONS);
    opened.add(store);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(s -> Await.result(s.close()));
  }

  // ---- storing

  @Test
  void stored_notifications_get_growing_ids_and_expire_one_ttl_after_they_were_stored() {
    Notification first = store("Pet", "{\"name\":\"Rex\"}", joe);
    clock.advanceMillis(5);
    Notification second = store("Pet", "42", null);

    assertThat(second.id()).isGreaterThan(first.id());
    assertThat(first.createdAt()).isEqualTo(MutableClock.DEFAULT_START_MILLIS);
    assertThat(first.expiresAt()).isEqualTo(first.createdAt() + TTL);
    assertThat(second.createdAt()).isEqualTo(first.createdAt() + 5);
    assertThat(first.toClient()).isEqualTo(new JsonObject().put("id", first.id()).put("topic", "Pet")
      .put("data", new JsonObject().put("name", "Rex")).put("ts", first.createdAt()));
  }

  @Test
  void a_peer_node_sees_the_same_stream_and_continues_its_ids() {
    NotificationStore peer = peer();
    subscribe(sam, "Pet");
    Notification here = store("Pet", "1", null);
    Notification there = Await.result(peer.store(new Draft(Topic.of("Pet"), "2", null)));

    assertThat(there.id()).isGreaterThan(here.id());
    assertThat(ids(Await.result(peer.since(sam, 0, 10)))).containsExactly(here.id(), there.id());
  }

  // ---- subscriptions

  @Test
  void a_session_that_never_subscribed_has_no_topics_and_version_zero() {
    assertThat(Await.result(store.subscriptions(joe))).isEqualTo(Subscriptions.NONE);
    assertThat(Await.result(store.unsubscribe(joe, topics("Pet")))).isEqualTo(Subscriptions.NONE);
  }

  @Test
  void subscribe_and_unsubscribe_answer_the_whole_sorted_set_with_a_growing_version() {
    Subscriptions first = subscribe(joe, "Pet", "Order");
    Subscriptions second = subscribe(joe, "Order", "Customer");
    Subscriptions third = Await.result(store.unsubscribe(joe, topics("Pet", "Unknown")));

    assertThat(first.topics()).containsExactly("Order", "Pet");
    assertThat(second.topics()).containsExactly("Customer", "Order", "Pet");
    assertThat(third.topics()).containsExactly("Customer", "Order");
    assertThat(List.of(first.version(), second.version(), third.version())).isSorted().doesNotHaveDuplicates();
    assertThat(first.version()).isPositive();
  }

  @Test
  void topics_follow_the_session_to_another_node() {
    subscribe(joe, "Pet");
    NotificationStore peer = peer();

    assertThat(Await.result(peer.subscriptions(joe)).topics()).containsExactly("Pet");
    assertThat(Await.result(peer.subscriptions(sam)).topics()).isEmpty();
  }

  @Test
  void subscribing_beyond_the_limit_fails_with_400_and_changes_nothing() {
    Subscriptions before = subscribe(joe, "a", "b", "c", "d");

    Throwable refused = Await.failure(store.subscribe(joe, "joe", topics("e", "f"), OPTIONS.maxTopicsPerSession()));

    assertThat(refused).isInstanceOf(ReplyException.class);
    assertThat(((ReplyException) refused).failureCode()).isEqualTo(Failure.BAD_REQUEST);
    assertThat(Await.result(store.subscriptions(joe))).isEqualTo(before);
    assertThat(subscribe(joe, "e").topics()).as("up to the limit is fine").hasSize(5);
  }

  // ---- replay

  @Test
  void since_replays_the_sessions_topics_after_the_id_in_order_without_its_own() {
    subscribe(sam, "Pet", "Order");
    Notification pet = store("Pet", "1", null);
    Notification other = store("Customer", "2", null);
    Notification own = store("Pet", "3", sam);
    Notification order = store("Order", "4", joe);
    Notification later = store("Pet", "5", null);

    Replay all = Await.result(store.since(sam, 0, 10));
    Replay after = Await.result(store.since(sam, pet.id(), 10));

    assertThat(ids(all)).containsExactly(pet.id(), order.id(), later.id());
    assertThat(all.complete()).isTrue();
    assertThat(all.more()).isFalse();
    assertThat(ids(after)).as("sinceId is exclusive").containsExactly(order.id(), later.id());
    assertThat(ids(all)).doesNotContain(other.id(), own.id());
    assertThat(all.notifications().get(1)).isEqualTo(order);
  }

  @Test
  void since_covers_the_topics_the_session_has_now() {
    subscribe(sam, "Pet");
    Notification pet = store("Pet", "1", null);
    Notification order = store("Order", "2", null);
    Await.result(store.unsubscribe(sam, topics("Pet")));
    subscribe(sam, "Order");

    assertThat(ids(Await.result(store.since(sam, 0, 10)))).containsExactly(order.id()).doesNotContain(pet.id());
  }

  @Test
  void a_replay_longer_than_the_limit_says_there_is_more_and_continues_from_its_last_id() {
    subscribe(sam, "Pet");
    List<Long> stored = IntStream.range(0, 7).mapToObj(i -> store("Pet", String.valueOf(i), null).id()).toList();

    Replay first = Await.result(store.since(sam, 0, 3));
    Replay second = Await.result(store.since(sam, last(first), 3));
    Replay third = Await.result(store.since(sam, last(second), 3));

    assertThat(first.more()).isTrue();
    assertThat(second.more()).isTrue();
    assertThat(third.more()).isFalse();
    List<Long> replayed = new ArrayList<>(ids(first));
    replayed.addAll(ids(second));
    replayed.addAll(ids(third));
    assertThat(replayed).isEqualTo(stored);
  }

  @Test
  void an_expired_notification_is_not_replayed_and_the_replay_says_it_is_incomplete() {
    subscribe(sam, "Pet");
    Notification old = store("Pet", "1", null);
    clock.advanceMillis(TTL / 2);
    Notification recent = store("Pet", "2", null);
    clock.advanceMillis(TTL / 2);

    Replay beforeDeletion = Await.result(store.since(sam, 0, 10));
    assertThat(Await.result(store.expire(100))).isEqualTo(1);
    Replay afterDeletion = Await.result(store.since(sam, 0, 10));
    Replay afterTheGap = Await.result(store.since(sam, old.id(), 10));

    assertThat(ids(beforeDeletion)).as("past its expiry, not yet deleted").containsExactly(recent.id());
    assertThat(beforeDeletion.complete()).isFalse();
    assertThat(ids(afterDeletion)).containsExactly(recent.id());
    assertThat(afterDeletion.complete()).isFalse();
    assertThat(afterTheGap.complete()).as("nothing after the expired one is missing").isTrue();
  }

  @Test
  void expiry_on_a_topic_the_session_does_not_follow_leaves_its_replay_complete() {
    subscribe(sam, "Pet");
    store("Order", "1", null);
    Notification pet = store("Pet", "2", null);
    clock.advanceMillis(TTL);
    store("Pet", "3", null);
    Await.result(store.expire(1));

    Replay replay = Await.result(store.since(sam, pet.id(), 10));
    assertThat(replay.complete()).isTrue();
  }

  // ---- expiry

  @Test
  void expire_deletes_at_most_a_batch_and_only_what_expired() {
    List<Long> old = IntStream.range(0, 5).mapToObj(i -> store("Pet", String.valueOf(i), null).id()).toList();
    clock.advanceMillis(1);
    Notification fresh = store("Pet", "\"fresh\"", null);
    clock.advanceMillis(TTL - 1);
    subscribe(sam, "Pet");

    assertThat(Await.result(store.expire(2))).isEqualTo(2);
    assertThat(Await.result(store.expire(100))).isEqualTo(3);
    assertThat(Await.result(store.expire(100))).isZero();
    Replay replay = Await.result(store.since(sam, 0, 10));
    assertThat(ids(replay)).containsExactly(fresh.id());
    assertThat(replay.complete()).isFalse();
    assertThat(Await.result(store.since(sam, old.get(4), 10)).complete()).as("nothing after the expired ones is missing").isTrue();
  }

  @Test
  void two_nodes_expiring_at_once_delete_each_row_once() {
    NotificationStore peer = peer();
    IntStream.range(0, 40).forEach(i -> store("Pet", String.valueOf(i), null));
    clock.advanceMillis(TTL);

    var here = store.expire(10);
    var there = peer.expire(10);
    int deleted = Await.result(here) + Await.result(there);
    while (true) {
      int more = Await.result(store.expire(10)) + Await.result(peer.expire(10));
      if (more == 0) {
        break;
      }
      deleted += more;
    }
    assertThat(deleted).isEqualTo(40);
  }

  @Test
  void sessions_unseen_for_the_session_ttl_are_forgotten_and_a_reconnect_counts_as_seen() {
    subscribe(joe, "Pet");
    subscribe(sam, "Pet");
    clock.advanceMillis(SESSION_TTL - 1);
    Await.result(store.subscriptions(sam)); // sam's tab reconnected
    clock.advanceMillis(1);

    assertThat(Await.result(store.forgetSessions(100))).isEqualTo(1);
    assertThat(Await.result(store.subscriptions(joe))).isEqualTo(Subscriptions.NONE);
    assertThat(Await.result(store.subscriptions(sam)).topics()).containsExactly("Pet");
  }

  // ---- helpers

  protected NotificationStore peer() {
    NotificationStore peer = createPeer(store, clock, OPTIONS);
    if (peer != store) {
      opened.add(peer);
    }
    return peer;
  }

  protected Notification store(String topic, String json, String origin) {
    return Await.result(store.store(new Draft(Topic.of(topic), json, origin)));
  }

  protected Subscriptions subscribe(String sessionId, String... topics) {
    return Await.result(store.subscribe(sessionId, "user-of-" + sessionId, topics(topics), OPTIONS.maxTopicsPerSession()));
  }

  protected static Set<Topic> topics(String... names) {
    return Arrays.stream(names).map(Topic::of).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  protected static List<Long> ids(Replay replay) {
    return replay.notifications().stream().map(Notification::id).toList();
  }

  private static long last(Replay replay) {
    return replay.notifications().get(replay.notifications().size() - 1).id();
  }
}
