package io.parley.bridge;

import io.parley.notifications.NotificationsVerticle;
import io.parley.shared.Addresses;
import io.parley.shared.Envelope;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The last hop of a notification, one per bridge instance: which of its sessions (tabs that
 * joined their {@code client-<sessionId>} room here) follow which topic, and delivery to
 * them. Every instance in the cluster hears each publish once ({@code notifications.deliver})
 * and looks its recipients up in memory: no query per recipient, no scan per publish.
 *
 * <p>A session's topics are read from the store once, when its tab joins its client room here
 * ({@link #attach}); later changes arrive on {@code notifications.changed}. Both carry the
 * set's version and the higher one wins, so a reply that raced with a change cannot undo it.
 *
 * <p>Used from the bridge instance's event loop only.
 */
final class NotificationFanOut {

  private static final Logger LOG = LoggerFactory.getLogger(NotificationFanOut.class);

  private static final class Session {
    Set<String> topics = Set.of();
    long version = -1;
  }

  /** How long a tab's REGISTER of its client room may wait for its topics. */
  private static final DeliveryOptions TOPICS_TIMEOUT = new DeliveryOptions().setSendTimeout(5_000);

  private final EventBus bus;
  private final Consumer<Envelope> sink;
  private final Map<String, Session> sessions = new HashMap<>();
  private final Map<String, Set<String>> sessionsByTopic = new HashMap<>();
  private MessageConsumer<JsonObject> deliveries;
  private MessageConsumer<JsonObject> changes;

  /** @param sink delivers an envelope to this instance's members of its room */
  public NotificationFanOut(EventBus bus, Consumer<Envelope> sink) {
    this.bus = bus;
    this.sink = sink;
  }

  public Future<Void> start() {
    deliveries = bus.consumer(Addresses.NOTIFICATIONS_DELIVER, message -> deliver(message.body()));
    changes = bus.consumer(Addresses.NOTIFICATIONS_CHANGED, message -> {
      JsonObject change = message.body();
      update(change.getString("sessionId"), change.getJsonArray("topics"), change.getLong("version"));
    });
    return Future.all(deliveries.completion(), changes.completion()).mapEmpty();
  }

  public Future<Void> stop() {
    return Future.all(deliveries.unregister(), changes.unregister()).mapEmpty();
  }

  /**
   * A tab of the session joined its client room on this instance: deliver to it from now on.
   * Completes once the session's stored topics are known here, so that whatever is published
   * after the tab's REGISTER completes reaches it. Never fails: without a notifications service
   * (or with its store down) the tab gets what is published after its next subscribe, and
   * replays the rest with {@code notifications.since}.
   */
  public Future<Void> attach(String sessionId) {
    if (sessions.putIfAbsent(sessionId, new Session()) != null) {
      return Future.succeededFuture();
    }
    return bus.<JsonObject>request(Addresses.NOTIFICATIONS_TOPICS, new JsonObject().put("sessionId", sessionId), TOPICS_TIMEOUT)
      .onSuccess(reply -> update(sessionId, reply.body().getJsonArray("topics"), reply.body().getLong("version")))
      .onFailure(e -> LOG.debug("Could not read the topics of session {}: {}", sessionId, e.getMessage()))
      .<Void>mapEmpty()
      .otherwiseEmpty();
  }

  /**
   * A service answered one of this instance's sockets, before the answer is written to it. A
   * subscribe or unsubscribe answer, {@code {topics, version}}, applies here at once: the tab
   * that is told it subscribed gets what is published next, without waiting for
   * {@code notifications.changed}, whose cluster-wide publish may arrive after the next
   * {@code notifications.deliver}.
   */
  public void answered(String address, String sessionId, Object reply) {
    if ((Addresses.NOTIFICATIONS_SUBSCRIBE.equals(address) || Addresses.NOTIFICATIONS_UNSUBSCRIBE.equals(address))
      && reply instanceof JsonObject answer
      && answer.getValue("topics") instanceof JsonArray topics && answer.getValue("version") instanceof Number version) {
      update(sessionId, topics, version.longValue());
    }
  }

  /** The session's last tab here left its client room. */
  public void detach(String sessionId) {
    Session session = sessions.remove(sessionId);
    if (session != null) {
      index(sessionId, session.topics, Set.of());
    }
  }

  /** How many sessions this instance delivers to. */
  public int sessions() {
    return sessions.size();
  }

  private void update(String sessionId, JsonArray topics, long version) {
    Session session = sessions.get(sessionId);
    if (session == null || version <= session.version) {
      return; // not a session of this instance, or older news
    }
    Set<String> after = new HashSet<>(topics.size());
    topics.forEach(topic -> after.add((String) topic));
    index(sessionId, session.topics, after);
    session.topics = after;
    session.version = version;
  }

  private void index(String sessionId, Set<String> before, Set<String> after) {
    for (String topic : before) {
      if (!after.contains(topic)) {
        Set<String> subscribed = sessionsByTopic.get(topic);
        if (subscribed != null && subscribed.remove(sessionId) && subscribed.isEmpty()) {
          sessionsByTopic.remove(topic);
        }
      }
    }
    for (String topic : after) {
      if (!before.contains(topic)) {
        sessionsByTopic.computeIfAbsent(topic, t -> new HashSet<>()).add(sessionId);
      }
    }
  }

  private void deliver(JsonObject notification) {
    Set<String> subscribed = sessionsByTopic.get(notification.getString("topic"));
    if (subscribed == null) {
      return;
    }
    String origin = notification.getString("originSessionId");
    long ts = notification.getLong("ts");
    JsonObject data = new JsonObject()
      .put("id", notification.getLong("id"))
      .put("topic", notification.getString("topic"))
      .put("data", notification.getValue("data"))
      .put("ts", ts);
    // a copy: delivering may close a slow tab, which detaches it from this very set
    for (String sessionId : List.copyOf(subscribed)) {
      if (!sessionId.equals(origin)) {
        sink.accept(new Envelope("client-" + sessionId, NotificationsVerticle.NOTIFICATION, data, ts, null, null, null));
      }
    }
  }
}
