package io.parley.notifications;

import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@link NotificationStore} in Postgres ({@code conf/migrations/V3__notifications.sql}). Each
 * operation is one statement, so each is atomic without a transaction: a publish is one
 * {@code INSERT} (whose trigger sends the {@code NOTIFY}), a subscribe one upsert.
 */
public final class PgNotificationStore implements NotificationStore {

  private static final Logger LOG = LoggerFactory.getLogger(PgNotificationStore.class);

  private static final String STORE = """
    INSERT INTO notifications (topic, data, origin_session, created_at, expires_at)
    VALUES ($1, $2::text::json, $3, $4, $5) RETURNING id""";

  /** Adds topics; the WHERE keeps a session at maxTopics ($5): no row back means too many. */
  private static final String SUBSCRIBE = """
    INSERT INTO notification_sessions AS s (session_id, user_id, topics, version, touched_at)
    VALUES ($1, $2, ARRAY(SELECT DISTINCT t FROM unnest($3::text[]) t ORDER BY t), 1, $4)
    ON CONFLICT (session_id) DO UPDATE
      SET topics = ARRAY(SELECT DISTINCT t FROM unnest(s.topics || excluded.topics) t ORDER BY t),
          version = s.version + 1, touched_at = excluded.touched_at
      WHERE (SELECT count(DISTINCT t) FROM unnest(s.topics || excluded.topics) t) <= $5
    RETURNING topics, version""";

  private static final String UNSUBSCRIBE = """
    UPDATE notification_sessions
    SET topics = ARRAY(SELECT t FROM unnest(topics) t WHERE t <> ALL ($2::text[]) ORDER BY t),
        version = version + 1, touched_at = $3
    WHERE session_id = $1 RETURNING topics, version""";

  private static final String SUBSCRIPTIONS =
    "UPDATE notification_sessions SET touched_at = $2 WHERE session_id = $1 RETURNING topics, version";

  /** The page ($4 = limit + 1, to tell whether there is more) and whether it is complete, in one statement. */
  private static final String SINCE = """
    WITH session AS (SELECT topics FROM notification_sessions WHERE session_id = $1),
    page AS (
      SELECT n.id, n.topic, n.data::text AS data, n.origin_session, n.created_at, n.expires_at
      FROM notifications n, session
      WHERE n.topic = ANY (session.topics) AND n.id > $2 AND n.expires_at > $3
        AND n.origin_session IS DISTINCT FROM $1
      ORDER BY n.id LIMIT $4)
    SELECT page.*, NULL::boolean AS complete FROM page
    UNION ALL
    SELECT NULL, NULL, NULL, NULL, NULL, NULL, NOT (
      EXISTS (SELECT 1 FROM notification_expiry e, session WHERE e.topic = ANY (session.topics) AND e.expired_through > $2)
      OR EXISTS (SELECT 1 FROM notifications n, session
                 WHERE n.topic = ANY (session.topics) AND n.id > $2 AND n.expires_at <= $3))""";

  /** Deletes a batch, oldest first, skipping rows another node's job is deleting; records what went per topic. */
  private static final String EXPIRE = """
    WITH gone AS (
      DELETE FROM notifications WHERE id IN (
        SELECT id FROM notifications WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING topic, id),
    recorded AS (
      INSERT INTO notification_expiry (topic, expired_through)
      SELECT topic, max(id) FROM gone GROUP BY topic
      ON CONFLICT (topic) DO UPDATE
        SET expired_through = greatest(notification_expiry.expired_through, excluded.expired_through))
    SELECT count(*) AS deleted FROM gone""";

  private static final String FORGET_SESSIONS = """
    DELETE FROM notification_sessions WHERE session_id IN (
      SELECT session_id FROM notification_sessions WHERE touched_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)""";

  private final Pool pool;
  private final Clock clock;
  private final long ttlMs;
  private final long sessionTtlMs;
  private final FailureLog failures;

  /**
   * @param pool     connected to a database migrated with {@link io.parley.shared.PgSchema}; the caller closes it
   * @param failures where the database's failures are counted and logged
   */
  public PgNotificationStore(Pool pool, Clock clock, NotificationsOptions options, FailureLog failures) {
    this.pool = pool;
    this.clock = clock;
    this.failures = failures;
    this.ttlMs = options.ttlMs();
    this.sessionTtlMs = options.sessionTtlMs();
  }

  @Override
  public Future<Notification> store(Draft draft) {
    long now = clock.millis();
    return pool.preparedQuery(STORE)
      .execute(Tuple.of(draft.topic().value(), draft.data(), draft.originSessionId(), now, now + ttlMs))
      .map(rows -> new Notification(rows.iterator().next().getLong("id"), draft.topic().value(), draft.data(),
        draft.originSessionId(), now, now + ttlMs))
      .recover(this::unavailable);
  }

  @Override
  public Future<Subscriptions> subscribe(String sessionId, String userId, Set<Topic> topics, int maxTopics) {
    if (topics.size() > maxTopics) {
      return Future.failedFuture(NotificationStore.tooManyTopics(maxTopics));
    }
    return pool.preparedQuery(SUBSCRIBE)
      .execute(Tuple.of(sessionId, userId, names(topics), clock.millis(), maxTopics))
      .compose(rows -> rows.size() == 0
        ? Future.<Subscriptions>failedFuture(NotificationStore.tooManyTopics(maxTopics))
        : Future.succeededFuture(subscriptions(rows)))
      .recover(this::unavailable);
  }

  @Override
  public Future<Subscriptions> unsubscribe(String sessionId, Set<Topic> topics) {
    return pool.preparedQuery(UNSUBSCRIBE).execute(Tuple.of(sessionId, names(topics), clock.millis()))
      .map(PgNotificationStore::subscriptionsOrNone)
      .recover(this::unavailable);
  }

  @Override
  public Future<Subscriptions> subscriptions(String sessionId) {
    return pool.preparedQuery(SUBSCRIPTIONS).execute(Tuple.of(sessionId, clock.millis()))
      .map(PgNotificationStore::subscriptionsOrNone)
      .recover(this::unavailable);
  }

  @Override
  public Future<Replay> since(String sessionId, long sinceId, int limit) {
    return pool.preparedQuery(SINCE).execute(Tuple.of(sessionId, sinceId, clock.millis(), limit + 1)).map(rows -> {
      List<Notification> page = new ArrayList<>();
      boolean complete = true;
      for (Row row : rows) {
        Boolean flag = row.getBoolean("complete");
        if (flag != null) {
          complete = flag;
        } else {
          page.add(new Notification(row.getLong("id"), row.getString("topic"), row.getString("data"),
            row.getString("origin_session"), row.getLong("created_at"), row.getLong("expires_at")));
        }
      }
      boolean more = page.size() > limit;
      return new Replay(more ? List.copyOf(page.subList(0, limit)) : page, complete, more);
    }).recover(this::unavailable);
  }

  @Override
  public Future<Integer> expire(int batch) {
    return pool.preparedQuery(EXPIRE).execute(Tuple.of(clock.millis(), batch))
      .map(rows -> rows.iterator().next().getInteger("deleted"))
      .recover(this::unavailable);
  }

  @Override
  public Future<Integer> forgetSessions(int batch) {
    return pool.preparedQuery(FORGET_SESSIONS).execute(Tuple.of(clock.millis() - sessionTtlMs, batch))
      .map(RowSet::rowCount)
      .recover(this::unavailable);
  }

  private static String[] names(Set<Topic> topics) {
    return topics.stream().map(Topic::value).toArray(String[]::new);
  }

  private static Subscriptions subscriptionsOrNone(RowSet<Row> rows) {
    return rows.size() == 0 ? Subscriptions.NONE : subscriptions(rows);
  }

  private static Subscriptions subscriptions(RowSet<Row> rows) {
    Row row = rows.iterator().next();
    return new Subscriptions(Arrays.asList(row.getArrayOfStrings("topics")), row.getLong("version"));
  }

  private <T> Future<T> unavailable(Throwable failure) {
    return Failure.<T>storeUnavailable("notification store", failures, LOG).apply(failure);
  }
}
