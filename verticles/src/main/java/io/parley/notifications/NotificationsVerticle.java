package io.parley.notifications;

import io.parley.notifications.NotificationStore.Draft;
import io.parley.notifications.NotificationStore.Notification;
import io.parley.notifications.NotificationStore.Subscriptions;
import io.parley.shared.Addresses;
import io.parley.shared.Caller;
import io.parley.shared.Failure;
import io.parley.shared.Request;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Topic notifications ({@code docs/features.md}): subscriptions keyed by the tab's
 * sessionId, a stored stream with expiry, replay of what a tab missed, no echo to the session
 * that caused a notification.
 *
 * <pre>
 * notifications.subscribe   {topics}        a client   → {topics, version}: the session's topics after
 * notifications.unsubscribe {topics}        a client   → {topics, version}
 * notifications.since       {sinceId}       a client   → {notifications:[{id, topic, data, ts}], complete, more}
 * notifications.publish     {topic, data, originSessionId?}  server side → {id}
 * notifications.topics      {sessionId}     the bridge → {topics, version}
 * </pre>
 *
 * A publish is one store write and one cluster-wide message ({@code notifications.deliver});
 * the bridges deliver it to the sessions whose tabs they hold ({@link NotificationFanOut}),
 * so no recipient costs a query. A subscription change is announced on
 * {@code notifications.changed} for the same reason.
 *
 * <p>Every instance runs the expiry job each {@code notifications.expiryIntervalMs}; the store
 * lets several run at once.
 */
public final class NotificationsVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationsVerticle.class);

  /** The event name of a delivered notification on a {@code client-<sessionId>} room. */
  public static final String NOTIFICATION = "notification";

  private final NotificationStore store;
  private final NotificationsOptions options;
  private long expiryTimer = -1;
  private boolean expiring;

  public NotificationsVerticle(NotificationStore store, NotificationsOptions options) {
    this.store = store;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    return Future.all(List.of(
      bus.consumer(Addresses.NOTIFICATIONS_SUBSCRIBE, m -> Request.reply(m, this::subscribe)).completion(),
      bus.consumer(Addresses.NOTIFICATIONS_UNSUBSCRIBE, m -> Request.reply(m, this::unsubscribe)).completion(),
      bus.consumer(Addresses.NOTIFICATIONS_SINCE, m -> Request.reply(m, this::since)).completion(),
      bus.consumer(Addresses.NOTIFICATIONS_PUBLISH, m -> Request.reply(m, this::publish)).completion(),
      bus.consumer(Addresses.NOTIFICATIONS_TOPICS, m -> Request.reply(m, this::topics)).completion()))
      .onSuccess(v -> expiryTimer = vertx.setPeriodic(options.expiryIntervalMs(), id -> expire()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(expiryTimer);
    return Future.succeededFuture();
  }

  /**
   * {@code {topics}} from a client → {@code {topics, version}}, all of the session's topics
   * after; the bridge applies the answer to its fan-out before the client reads it.
   */
  private Future<JsonObject> subscribe(Message<Object> message) {
    Caller caller = Caller.required(message);
    Set<Topic> topics = topics(Request.of(message));
    return store.subscribe(caller.sessionId(), caller.userId(), topics, options.maxTopicsPerSession())
      .map(after -> changed(caller.sessionId(), after));
  }

  /** {@code {topics}} from a client → {@code {topics}} after. */
  private Future<JsonObject> unsubscribe(Message<Object> message) {
    Caller caller = Caller.required(message);
    Set<Topic> topics = topics(Request.of(message));
    return store.unsubscribe(caller.sessionId(), topics).map(after -> changed(caller.sessionId(), after));
  }

  /** {@code {sinceId}} from a client → what it missed on its topics, in id order. */
  private Future<JsonObject> since(Message<Object> message) {
    Caller caller = Caller.required(message);
    long sinceId = Request.of(message).nonNegativeLong("sinceId");
    return store.since(caller.sessionId(), sinceId, options.replayLimit()).map(replay -> new JsonObject()
      .put("notifications", new JsonArray(replay.notifications().stream().map(Notification::toClient).toList()))
      .put("complete", replay.complete())
      .put("more", replay.more()));
  }

  /** {@code {topic, data, originSessionId?}} from server code → {@code {id}}, once stored. */
  private Future<JsonObject> publish(Message<Object> message) {
    if (Caller.of(message) != null) {
      throw Failure.forbidden("notifications are published by server code, not by clients");
    }
    Request request = Request.of(message);
    Draft draft = new Draft(Topic.of(request.string("topic")), data(request), request.optionalString("originSessionId"));
    return store.store(draft).map(stored -> {
      vertx.eventBus().publish(Addresses.NOTIFICATIONS_DELIVER, stored.toClient().put("originSessionId", stored.originSessionId()));
      return new JsonObject().put("id", stored.id());
    });
  }

  /** {@code {sessionId}} from a bridge whose tab of that session joined its client room. */
  private Future<JsonObject> topics(Message<Object> message) {
    String sessionId = Request.of(message).string("sessionId");
    return store.subscriptions(sessionId)
      .map(subscriptions -> new JsonObject().put("topics", new JsonArray(subscriptions.topics())).put("version", subscriptions.version()));
  }

  private JsonObject changed(String sessionId, Subscriptions after) {
    JsonArray topics = new JsonArray(after.topics());
    vertx.eventBus().publish(Addresses.NOTIFICATIONS_CHANGED,
      new JsonObject().put("sessionId", sessionId).put("topics", topics).put("version", after.version()));
    return new JsonObject().put("topics", topics).put("version", after.version());
  }

  private Set<Topic> topics(Request request) {
    JsonArray names = request.stringArray("topics");
    if (names.isEmpty()) {
      throw Failure.badRequest("topics must name at least one topic");
    }
    if (names.size() > options.maxTopicsPerSession()) {
      throw NotificationStore.tooManyTopics(options.maxTopicsPerSession());
    }
    Set<Topic> topics = new LinkedHashSet<>();
    for (Object name : names) {
      topics.add(Topic.of((String) name));
    }
    return topics;
  }

  /**
   * The data as JSON text: any JSON value but null. A string that is not JSON itself is taken
   * as a JSON string, as on the bus every body is JSON already; over HTTP the body is parsed first.
   */
  private String data(Request request) {
    if (!request.has("data")) {
      throw Failure.badRequest("data is required: any JSON value but null");
    }
    String json;
    try {
      json = Json.encode(request.body().getValue("data"));
    } catch (RuntimeException e) {
      throw Failure.badRequest("data must be JSON: " + e.getMessage());
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > options.maxDataBytes()) {
      throw Failure.of(Failure.TOO_LARGE, "data is " + bytes + " bytes of JSON; at most " + options.maxDataBytes()
        + " (notifications.maxDataBytes): store it elsewhere and send its id");
    }
    return json;
  }

  private void expire() {
    if (expiring) {
      return; // the previous run is still going (a slow database): skip this one
    }
    expiring = true;
    expireBatches(options.expiryBatchesPerRun())
      .compose(v -> store.forgetSessions(options.expiryBatch()))
      .onComplete(ar -> {
        expiring = false;
        if (ar.failed()) {
          LOG.warn("Notification expiry failed (retrying in {} ms): {}", options.expiryIntervalMs(), ar.cause().getMessage());
        }
      });
  }

  /** Deletes batch after batch while batches come back full, up to {@code left} of them. */
  private Future<Void> expireBatches(int left) {
    return store.expire(options.expiryBatch()).compose(deleted ->
      deleted == options.expiryBatch() && left > 1 ? expireBatches(left - 1) : Future.succeededFuture());
  }
}
