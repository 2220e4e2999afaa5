package io.parley.bridge;

import io.parley.shared.Addresses;
import io.parley.shared.Await;
import io.parley.shared.Envelope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NotificationFanOut} alone, on a real event bus: which of its sessions a published
 * notification reaches, as their topics are read and changed. The stored topics are a map
 * answered on {@code notifications.topics}; deliveries go to a list.
 */
class NotificationFanOutTest {

  private Vertx vertx;
  private Context context;
  private NotificationFanOut fanOut;
  private final List<Envelope> delivered = new CopyOnWriteArrayList<>();
  private final Map<String, JsonObject> stored = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    vertx.eventBus().<JsonObject>consumer(Addresses.NOTIFICATIONS_TOPICS, m ->
      m.reply(stored.getOrDefault(m.body().getString("sessionId"), new JsonObject().put("topics", new JsonArray()).put("version", 0))));
    // used from one context only, as in a bridge instance
    context = vertx.getOrCreateContext();
    fanOut = Await.result(onContext(() -> {
      NotificationFanOut created = new NotificationFanOut(vertx.eventBus(), delivered::add);
      return created.start().map(created);
    }));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void a_notification_reaches_the_attached_sessions_on_its_topic_except_its_origin() {
    stored.put("s1", topics(1, "Pet"));
    stored.put("s2", topics(1, "Pet", "Order"));
    stored.put("s3", topics(1, "Order"));
    attach("s1");
    attach("s2");
    attach("s3");

    deliver(7, "Pet", "s2");

    assertThat(destinations()).containsExactly("client-s1");
    Envelope envelope = delivered.get(0);
    assertThat(envelope.event()).isEqualTo("notification");
    assertThat(envelope.offset()).as("notifications take no room offset").isNull();
    assertThat(envelope.data()).isEqualTo(new JsonObject().put("id", 7L).put("topic", "Pet").put("data", "x").put("ts", 1000L));
  }

  @Test
  void a_topic_change_applies_at_once_and_an_older_version_does_not_undo_it() {
    stored.put("s1", topics(1, "Pet"));
    attach("s1");

    change("s1", topics(3, "Order"));
    change("s1", topics(2, "Pet")); // late news
    deliver(1, "Pet", null);
    deliver(2, "Order", null);

    assertThat(delivered).extracting(e -> ((JsonObject) e.data()).getLong("id")).containsExactly(2L);
  }

  @Test
  void a_subscribe_answer_seen_by_the_bridge_applies_before_the_cluster_wide_change_arrives() {
    stored.put("s1", topics(1, "Pet"));
    attach("s1");

    onContext(() -> {
      fanOut.answered(Addresses.NOTIFICATIONS_SUBSCRIBE, "s1", topics(2, "Pet", "Order"));
      return Future.succeededFuture();
    });
    change("s1", topics(2, "Pet", "Order")); // the same change, late: nothing more happens
    deliver(1, "Order", null);

    assertThat(destinations()).containsExactly("client-s1");
  }

  @Test
  void changes_for_sessions_elsewhere_and_detached_sessions_are_ignored() {
    stored.put("s1", topics(1, "Pet"));
    attach("s1");
    change("s9", topics(1, "Pet"));
    onContext(() -> {
      fanOut.detach("s1");
      return Future.succeededFuture();
    });

    deliver(1, "Pet", null);

    assertThat(delivered).isEmpty();
    assertThat(Await.result(onContext(() -> Future.succeededFuture(fanOut.sessions())))).isZero();
  }

  private void attach(String sessionId) {
    Await.result(onContext(() -> fanOut.attach(sessionId)));
  }

  /** Publishes on the bus, then waits for a task queued behind its delivery on the fan-out's context. */
  private void change(String sessionId, JsonObject topics) {
    vertx.eventBus().publish(Addresses.NOTIFICATIONS_CHANGED, topics.copy().put("sessionId", sessionId));
    settle();
  }

  private void deliver(long id, String topic, String origin) {
    vertx.eventBus().publish(Addresses.NOTIFICATIONS_DELIVER, new JsonObject().put("id", id).put("topic", topic)
      .put("data", "x").put("ts", 1000L).put("originSessionId", origin));
    settle();
  }

  private void settle() {
    Await.result(onContext(Future::succeededFuture));
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  private List<String> destinations() {
    return delivered.stream().map(Envelope::destination).toList();
  }

  private static JsonObject topics(long version, String... names) {
    return new JsonObject().put("topics", new JsonArray(List.of(names))).put("version", version);
  }
}
