package io.parley.notifications;

import io.parley.shared.Failure;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * The stored notification stream and each session's topics ({@code docs/features.md},
 * notifications). The embedded default keeps them in memory ({@link MemoryNotificationStore}); production
 * in Postgres ({@link PgNotificationStore}), where every node sees the same stream and a tab's
 * topics follow it to whichever node it reconnects to.
 *
 * <p>Contract (checked by {@code NotificationStoreContract} for every implementation):
 * <ul>
 *   <li>{@link #store} gives each notification an id greater than every id it gave before, and
 *       {@code expiresAt = createdAt + ttl}, both by the store's clock. It is the only write a
 *       publish makes.</li>
 *   <li>A session's topics are a sorted set. {@link #subscribe} adds, {@link #unsubscribe}
 *       removes; each answers the whole set after the change with a {@code version} greater
 *       than any the session had, so a cache that keeps the highest version keeps the newest.
 *       A subscribe that would leave more than {@code maxTopics} fails with 400 and changes
 *       nothing. A session that never subscribed has no topics and version 0.</li>
 *   <li>{@link #since} replays, in id order, the unexpired notifications after {@code sinceId}
 *       (exclusive) on the session's current topics, leaving out those the session originated.
 *       {@code complete} is false when a notification on those topics after {@code sinceId}
 *       has expired (deleted, or past its expiry and not yet deleted): the caller missed
 *       something it can no longer get. {@code more} is true when more than {@code limit}
 *       matched: ask again after the last id.</li>
 *   <li>{@link #expire} deletes at most {@code batch} expired notifications, oldest first,
 *       remembering per topic the highest id it deleted (what makes a replay incomplete).
 *       Several callers at once (every node runs the job) each delete different rows.</li>
 *   <li>A session is seen when it subscribes, unsubscribes or reads its topics with
 *       {@link #subscriptions} (a tab's reconnect); {@link #forgetSessions} deletes at most
 *       {@code batch} sessions not seen for the session time to live.</li>
 * </ul>
 */
public interface NotificationStore {

  /** What a publish stores: {@code data} is any JSON value, as JSON text. */
  record Draft(Topic topic, String data, String originSessionId) {
  }

  /** A stored notification; {@code data} is its JSON text. */
  record Notification(long id, String topic, String data, String originSessionId, long createdAt, long expiresAt) {

    /** What a client receives: {@code {id, topic, data, ts}} ({@code ts} = when it was stored). */
    public JsonObject toClient() {
      return new JsonObject().put("id", id).put("topic", topic).put("data", Json.decodeValue(data)).put("ts", createdAt);
    }
  }

  /** A session's topics, sorted, and the version of that set. */
  record Subscriptions(List<String> topics, long version) {
    public static final Subscriptions NONE = new Subscriptions(List.of(), 0);
  }

  /** The answer to {@link #since}. */
  record Replay(List<Notification> notifications, boolean complete, boolean more) {
  }

  Future<Notification> store(Draft draft);

  Future<Subscriptions> subscribe(String sessionId, String userId, Set<Topic> topics, int maxTopics);

  Future<Subscriptions> unsubscribe(String sessionId, Set<Topic> topics);

  /** The session's topics; marks the session seen. */
  Future<Subscriptions> subscriptions(String sessionId);

  Future<Replay> since(String sessionId, long sinceId, int limit);

  /** Deletes at most {@code batch} expired notifications; answers how many. */
  Future<Integer> expire(int batch);

  /** Deletes at most {@code batch} sessions unseen for the session time to live; answers how many. */
  Future<Integer> forgetSessions(int batch);

  /** The 400 of a subscribe that would leave a session with more than {@code maxTopics}. */
  static ReplyException tooManyTopics(int maxTopics) {
    return Failure.badRequest("too many topics: a session may subscribe to at most " + maxTopics
      + " (notifications.maxTopicsPerSession); unsubscribe from some first");
  }

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
