package io.parley.locks;

import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@link LockStore} in Postgres (schema: {@code conf/migrations/V1__locks.sql}), shared by every
 * node. The database makes every decision of the contract:
 * <ul>
 *   <li>acquire is one {@code INSERT ... ON CONFLICT (resource) DO UPDATE ... WHERE} the row is
 *       the caller's or expired: the unique resource and the row lock serialize racing acquires,
 *       and the loser's conditional update simply does not happen;</li>
 *   <li>heartbeat and release are updates and deletes conditional on the holding session;</li>
 *   <li>a kick is settled in one transaction that first deletes the pending kick (the first
 *       settler deletes it, any other finds nothing), then moves the lock conditional on the
 *       kick's holder still holding it and appends the log entry in the same statement.</li>
 * </ul>
 * Every time is a parameter from the injected clock, never {@code now()}: expiry follows
 * Parley's clock, which tests move without sleeping. Statements are prepared once per
 * connection (the pool caches them).
 *
 * <p>The tables keep the names the lock design started with, which are not the bridge's words:
 * a row of {@code connections} is a <em>held lock</em> (one per resource), not a client's
 * connection to the bridge; {@code session_token} (and {@code old_}/{@code new_session_token},
 * {@code kicker_session}, {@code holder_session}) is the holding tab's {@code sessionId}, a
 * uuid, never a credential; {@code connection_kickoffs} is the log of locks moved by a kick and
 * its {@code connection_id} the {@code connections.id} (the {@link Lock#id holding}) that moved.
 * Renaming them would break nodes of the previous version during a rolling upgrade, so they
 * stay, and the database itself says so ({@code COMMENT ON}, {@code V5__lock_table_comments.sql}).
 */
public final class PgLockStore implements LockStore {

  private static final Logger LOG = LoggerFactory.getLogger(PgLockStore.class);

  private static final String LOCK_COLUMNS = "id, session_token, user_id, user_name, resource, last_updated, created";
  private static final String KICK_COLUMNS = "receipt_number, resource, kicker_session, kicker_user_id, kicker_name, "
    + "holder_session, holder_user_id, holder_name, deadline";

  private static final String STATUS = "SELECT " + LOCK_COLUMNS + " FROM connections WHERE resource = $1";

  /**
   * $1 resource, $2 session, $3 user, $4 name, $5 now, $6 expired-before. {@code previous} is the
   * row as the statement found it, to name the holder of an expired lock that was taken over;
   * {@code taken} is empty when another live session holds the resource. A new holder gets a
   * new id (the sequence value the insert attempt drew); the same session keeps its own.
   */
  private static final String ACQUIRE = """
    WITH previous AS (
      SELECT id, session_token, user_id, user_name, last_updated, created FROM connections WHERE resource = $1
    ), taken AS (
      INSERT INTO connections AS c (session_token, user_id, user_name, resource, last_updated, created)
      VALUES ($2, $3, $4, $1, $5, $5)
      ON CONFLICT (resource) DO UPDATE SET
        id = CASE WHEN c.session_token = EXCLUDED.session_token THEN c.id ELSE EXCLUDED.id END,
        created = CASE WHEN c.session_token = EXCLUDED.session_token THEN c.created ELSE EXCLUDED.created END,
        session_token = EXCLUDED.session_token,
        user_id = EXCLUDED.user_id,
        user_name = EXCLUDED.user_name,
        last_updated = EXCLUDED.last_updated
      WHERE c.session_token = EXCLUDED.session_token OR c.last_updated < $6
      RETURNING c.id, c.session_token, c.user_id, c.user_name, c.resource, c.last_updated, c.created,
                (c.xmax = 0) AS inserted
    )
    SELECT t.*, p.id AS p_id, p.session_token AS p_session_token, p.user_id AS p_user_id,
           p.user_name AS p_user_name, p.last_updated AS p_last_updated, p.created AS p_created
    FROM taken t LEFT JOIN previous p ON true""";

  /** $1 resource, $2 session, $3 now, $4 expired-before. */
  private static final String HEARTBEAT = "UPDATE connections SET last_updated = $3 "
    + "WHERE resource = $1 AND session_token = $2 AND last_updated >= $4 RETURNING " + LOCK_COLUMNS;

  /** $1 resource, $2 session. */
  private static final String RELEASE = """
    WITH released AS (
      DELETE FROM connections WHERE resource = $1 AND session_token = $2
      RETURNING id, session_token, user_id, user_name, resource, last_updated, created
    )
    SELECT r.*, EXISTS (SELECT 1 FROM lock_kicks k WHERE k.resource = $1) AS kick_pending FROM released r""";

  /**
   * $1 receipt, $2 resource, $3 kicker session, $4 kicker user, $5 kicker name, $6 deadline,
   * $7 now, $8 expired-before: recorded only against a live holder other than the kicker, and
   * only if the resource has no pending kick and the receipt is unused (ON CONFLICT DO NOTHING).
   */
  private static final String REQUEST_KICK = """
    INSERT INTO lock_kicks (receipt_number, resource, kicker_session, kicker_user_id, kicker_name,
                            holder_session, holder_user_id, holder_name, deadline, created)
    SELECT $1, c.resource, $3, $4, $5, c.session_token, c.user_id, c.user_name, $6, $7
    FROM connections c
    WHERE c.resource = $2 AND c.session_token <> $3 AND c.last_updated >= $8
    ON CONFLICT DO NOTHING
    RETURNING\s""" + KICK_COLUMNS;

  /** Why a kick was not recorded: the resource's lock and pending kick, each possibly absent. */
  private static final String KICK_OBSTACLES = """
    SELECT c.id, c.session_token, c.user_id, c.user_name, c.resource, c.last_updated, c.created,
           k.receipt_number, k.resource AS k_resource, k.kicker_session, k.kicker_user_id, k.kicker_name,
           k.holder_session, k.holder_user_id, k.holder_name, k.deadline
    FROM (VALUES (1)) AS one (x)
    LEFT JOIN connections c ON c.resource = $1
    LEFT JOIN lock_kicks k ON k.resource = $1""";

  private static final String CLAIM_ANSWERED_KICK =
    "DELETE FROM lock_kicks WHERE receipt_number = $1 AND holder_session = $2 RETURNING " + KICK_COLUMNS;
  private static final String KICK_EXISTS = "SELECT 1 FROM lock_kicks WHERE receipt_number = $1";
  private static final String CLAIM_OVERDUE_KICK =
    "DELETE FROM lock_kicks WHERE receipt_number = $1 AND deadline <= $2 RETURNING " + KICK_COLUMNS;
  private static final String CLAIM_PENDING_KICK = "DELETE FROM lock_kicks WHERE resource = $1 RETURNING " + KICK_COLUMNS;
  private static final String OVERDUE_KICKS =
    "SELECT receipt_number FROM lock_kicks WHERE deadline <= $1 ORDER BY deadline LIMIT $2";

  /**
   * The transfer and its log entry, one statement: $1 resource, $2 holder session, $3 kicker
   * session, $4 kicker user, $5 kicker name, $6 now, $7 holder user, $8 receipt. Moves nothing
   * (and logs nothing) unless the kick's holder still holds the resource.
   */
  private static final String TRANSFER = """
    WITH moved AS (
      UPDATE connections SET session_token = $3, user_id = $4, user_name = $5, last_updated = $6
      WHERE resource = $1 AND session_token = $2
      RETURNING id, session_token, user_id, user_name, resource, last_updated, created
    ), logged AS (
      INSERT INTO connection_kickoffs (kicker_user_id, receiver_user_id, connection_id, resource, receipt_number,
                                       old_session_token, new_session_token, created)
      SELECT $4, $7, m.id, m.resource, $8, $2, $3, $6 FROM moved m
      RETURNING id
    )
    SELECT m.*, (SELECT count(*) FROM logged) AS logged FROM moved m""";

  /** $1 expired-before, $2 limit: concurrent sweeps skip each other's rows, so each lock expires once. */
  private static final String EXPIRE = """
    WITH expired AS (
      DELETE FROM connections
      WHERE id IN (SELECT id FROM connections WHERE last_updated < $1 ORDER BY last_updated LIMIT $2
                   FOR UPDATE SKIP LOCKED)
        AND last_updated < $1
      RETURNING id, session_token, user_id, user_name, resource, last_updated, created
    )
    SELECT e.*, EXISTS (SELECT 1 FROM lock_kicks k WHERE k.resource = e.resource) AS kick_pending FROM expired e""";

  private static final String KICKOFFS = "SELECT id, kicker_user_id, receiver_user_id, connection_id, resource, receipt_number, "
    + "old_session_token, new_session_token, created FROM connection_kickoffs WHERE resource = $1 ORDER BY id";

  /** Tries of an operation that raced with another and must look again (never more than a few in practice). */
  private static final int ATTEMPTS = 5;

  private final Pool pool;
  private final Clock clock;
  private final LocksOptions options;
  private final FailureLog failures;

  /**
   * @param pool     connected to a database migrated with {@link io.parley.shared.PgSchema}; the caller closes it
   * @param failures where the database's failures are counted and logged
   */
  public PgLockStore(Pool pool, Clock clock, LocksOptions options, FailureLog failures) {
    this.pool = pool;
    this.clock = clock;
    this.options = options;
    this.failures = failures;
  }

  @Override
  public Future<Lock> status(Resource resource) {
    long now = clock.millis();
    return pool.preparedQuery(STATUS).execute(Tuple.of(resource.key()))
      .map(rows -> live(firstLock(rows), now))
      .recover(this::unavailable);
  }

  @Override
  public Future<Acquisition> acquire(Resource resource, Holder who) {
    return acquire(pool, resource.key(), who, clock.millis(), ATTEMPTS).recover(this::unavailable);
  }

  private Future<Acquisition> acquire(SqlClient client, String resource, Holder who, long now, int attempts) {
    UUID session = session(who.sessionId());
    Tuple args = Tuple.of(resource, session, who.userId(), who.name(), time(now), time(now - options.ttlMs()));
    return client.preparedQuery(ACQUIRE).execute(args).compose(rows -> {
      if (rows.size() > 0) {
        Row row = rows.iterator().next();
        Lock lock = lock(row);
        UUID previous = row.getUUID("p_session_token");
        if (previous != null && previous.equals(session)) {
          return Future.succeededFuture(new Acquisition(AcquireOutcome.CONTINUED, lock, null));
        }
        Lock expired = null;
        if (!row.getBoolean("inserted") && previous != null) {
          expired = new Lock(row.getLong("p_id"), resource,
            new Holder(previous.toString(), row.getString("p_user_id"), row.getString("p_user_name")),
            millis(row.getOffsetDateTime("p_last_updated")), millis(row.getOffsetDateTime("p_created")));
        }
        return Future.succeededFuture(new Acquisition(AcquireOutcome.ACQUIRED, lock, expired));
      }
      // another session's live lock stopped the upsert; a new statement sees who holds it now
      return client.preparedQuery(STATUS).execute(Tuple.of(resource)).compose(current -> {
        Lock holder = live(firstLock(current), now);
        if (holder != null && !holder.holder().sessionId().equals(who.sessionId())) {
          return Future.succeededFuture(new Acquisition(AcquireOutcome.HELD_BY_OTHER, holder, null));
        }
        if (attempts <= 1) {
          return Future.failedFuture(Failure.unavailable("the lock on " + resource + " changed hands too often to acquire; try again"));
        }
        return acquire(client, resource, who, now, attempts - 1); // released or expired meanwhile
      });
    });
  }

  @Override
  public Future<Lock> heartbeat(Resource resource, String sessionId) {
    long now = clock.millis();
    return pool.preparedQuery(HEARTBEAT)
      .execute(Tuple.of(resource.key(), session(sessionId), time(now), time(now - options.ttlMs())))
      .map(PgLockStore::firstLock)
      .recover(this::unavailable);
  }

  @Override
  public Future<Release> release(Resource resource, String sessionId) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(resource.key(), session(sessionId)))
      .map(rows -> rows.size() == 0 ? null : release(rows.iterator().next()))
      .recover(this::unavailable);
  }

  @Override
  public Future<KickRequest> requestKick(Resource resource, Holder kicker) {
    return requestKick(resource.key(), kicker, ATTEMPTS).recover(this::unavailable);
  }

  private Future<KickRequest> requestKick(String resource, Holder kicker, int attempts) {
    long now = clock.millis();
    int receipt = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    UUID session = session(kicker.sessionId());
    Tuple args = Tuple.of(receipt, resource, session, kicker.userId(), kicker.name(), time(now + options.kickTimeoutMs()))
      .addValue(time(now)).addValue(time(now - options.ttlMs()));
    return pool.preparedQuery(REQUEST_KICK).execute(args).compose(rows -> {
      if (rows.size() > 0) {
        Kick kick = kick(rows.iterator().next(), "resource");
        return status(resource, now).map(lock -> new KickRequest(KickOutcome.REQUESTED, kick, lock));
      }
      return pool.preparedQuery(KICK_OBSTACLES).execute(Tuple.of(resource)).compose(found -> {
        Row row = found.iterator().next();
        Lock lock = row.getLong("id") == null ? null : live(lock(row), now);
        if (row.getInteger("receipt_number") != null) {
          Kick pending = kick(row, "k_resource");
          boolean same = pending.kicker().sessionId().equals(kicker.sessionId());
          return Future.succeededFuture(new KickRequest(same ? KickOutcome.ALREADY_REQUESTED : KickOutcome.PENDING_OTHER, pending, lock));
        }
        if (lock == null) {
          return Future.succeededFuture(new KickRequest(KickOutcome.FREE, null, null));
        }
        if (lock.holder().sessionId().equals(kicker.sessionId())) {
          return Future.succeededFuture(new KickRequest(KickOutcome.OWN, null, lock));
        }
        if (attempts <= 1) {
          return Future.failedFuture(Failure.unavailable("could not record the kick-out request for " + resource + "; try again"));
        }
        return requestKick(resource, kicker, attempts - 1); // the receipt number was taken, or a kick just settled
      });
    });
  }

  private Future<Lock> status(String resource, long now) {
    return pool.preparedQuery(STATUS).execute(Tuple.of(resource)).map(rows -> live(firstLock(rows), now));
  }

  @Override
  public Future<Settlement> answerKick(int receiptNumber, String sessionId, boolean kickMeOut) {
    UUID session = session(sessionId);
    return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_ANSWERED_KICK).execute(Tuple.of(receiptNumber, session))
      .compose(rows -> {
        if (rows.size() == 0) {
          return conn.preparedQuery(KICK_EXISTS).execute(Tuple.of(receiptNumber))
            .compose(exists -> Future.failedFuture(exists.size() > 0
              ? Failure.forbidden("kick-out request " + receiptNumber + " asks another session; only it may answer")
              : Failure.notFound("no kick-out request " + receiptNumber + " is pending (unknown, or already settled)")));
        }
        Kick kick = kick(rows.iterator().next(), "resource");
        long now = clock.millis();
        SettleReason reason = now >= kick.deadline() ? SettleReason.TIMEOUT
          : kickMeOut ? SettleReason.CONSENT : SettleReason.REFUSAL;
        return finish(conn, kick, reason, now);
      })).recover(this::unavailable);
  }

  @Override
  public Future<Settlement> settlePendingKick(Resource resource) {
    return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_PENDING_KICK).execute(Tuple.of(resource.key()))
      .compose(rows -> rows.size() == 0
        ? Future.<Settlement>succeededFuture(null)
        : finish(conn, kick(rows.iterator().next(), "resource"), SettleReason.HOLDER_LEFT, clock.millis())))
      .recover(this::unavailable);
  }

  @Override
  public Future<List<Release>> expireLocks(int limit) {
    long expiredBefore = clock.millis() - options.ttlMs();
    return pool.preparedQuery(EXPIRE).execute(Tuple.of(time(expiredBefore), limit)).map(rows -> {
      List<Release> expired = new ArrayList<>(rows.size());
      rows.forEach(row -> expired.add(release(row)));
      return expired;
    }).recover(this::unavailable);
  }

  @Override
  public Future<List<Settlement>> settleOverdueKicks(int limit) {
    return pool.preparedQuery(OVERDUE_KICKS).execute(Tuple.of(time(clock.millis()), limit)).compose(rows -> {
      List<Integer> receipts = new ArrayList<>(rows.size());
      rows.forEach(row -> receipts.add(row.getInteger("receipt_number")));
      List<Settlement> settled = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int receipt : receipts) {
        chain = chain.compose(v -> settleOverdue(receipt)).map(settlement -> {
          if (settlement != null) {
            settled.add(settlement);
          }
          return null;
        });
      }
      return chain.map(v -> settled);
    }).recover(this::unavailable);
  }

  /** One overdue kick, in its own transaction; null when another sweep or the answer settled it first. */
  private Future<Settlement> settleOverdue(int receipt) {
    long now = clock.millis();
    return pool.withTransaction(conn -> conn.preparedQuery(CLAIM_OVERDUE_KICK).execute(Tuple.of(receipt, time(now)))
      .compose(rows -> rows.size() == 0
        ? Future.<Settlement>succeededFuture(null)
        : finish(conn, kick(rows.iterator().next(), "resource"), SettleReason.TIMEOUT, now)));
  }

  @Override
  public Future<List<Kickoff>> kickoffs(Resource resource) {
    return pool.preparedQuery(KICKOFFS).execute(Tuple.of(resource.key())).map(rows -> {
      List<Kickoff> entries = new ArrayList<>(rows.size());
      rows.forEach(row -> entries.add(new Kickoff(row.getLong("id"), row.getString("kicker_user_id"),
        row.getString("receiver_user_id"), row.getLong("connection_id"), row.getString("resource"),
        row.getInteger("receipt_number"), row.getUUID("old_session_token").toString(),
        row.getUUID("new_session_token").toString(), millis(row.getOffsetDateTime("created")))));
      return entries;
    }).recover(this::unavailable);
  }

  /**
   * The rest of a kick whose pending row this transaction deleted: a refusal leaves the lock;
   * otherwise the lock moves to the kicker if the kick's holder still holds it (logged), else
   * the kicker acquires it if it is free, else someone else has it.
   */
  private Future<Settlement> finish(SqlClient conn, Kick kick, SettleReason reason, long now) {
    if (reason == SettleReason.REFUSAL) {
      return conn.preparedQuery(STATUS).execute(Tuple.of(kick.resource()))
        .map(rows -> new Settlement(kick, reason, SettleOutcome.REFUSED, live(firstLock(rows), now), null));
    }
    Holder kicker = kick.kicker();
    Tuple args = Tuple.of(kick.resource(), session(kick.holder().sessionId()), session(kicker.sessionId()),
        kicker.userId(), kicker.name(), time(now))
      .addValue(kick.holder().userId()).addValue(kick.receiptNumber());
    return conn.preparedQuery(TRANSFER).execute(args).compose(rows -> {
      if (rows.size() > 0) {
        Row row = rows.iterator().next();
        if (row.getLong("logged") != 1) {
          return Future.failedFuture(new IllegalStateException("transfer of " + kick.resource() + " logged " + row.getLong("logged")));
        }
        return Future.succeededFuture(new Settlement(kick, reason, SettleOutcome.TRANSFERRED, lock(row), null));
      }
      return acquire(conn, kick.resource(), kicker, now, ATTEMPTS).map(acquisition -> acquisition.holds()
        ? new Settlement(kick, reason, SettleOutcome.GRANTED, acquisition.lock(), acquisition.expired())
        : new Settlement(kick, reason, SettleOutcome.TAKEN, acquisition.lock(), null));
    });
  }

  // ---- rows and values

  private Lock live(Lock lock, long now) {
    return lock == null || lock.lastUpdated() < now - options.ttlMs() ? null : lock;
  }

  private static Lock firstLock(RowSet<Row> rows) {
    return rows.size() == 0 ? null : lock(rows.iterator().next());
  }

  private static Lock lock(Row row) {
    return new Lock(row.getLong("id"), row.getString("resource"),
      new Holder(row.getUUID("session_token").toString(), row.getString("user_id"), row.getString("user_name")),
      millis(row.getOffsetDateTime("last_updated")), millis(row.getOffsetDateTime("created")));
  }

  private static Release release(Row row) {
    return new Release(lock(row), row.getBoolean("kick_pending"));
  }

  private static Kick kick(Row row, String resourceColumn) {
    return new Kick(row.getInteger("receipt_number"), row.getString(resourceColumn),
      new Holder(row.getUUID("kicker_session").toString(), row.getString("kicker_user_id"), row.getString("kicker_name")),
      new Holder(row.getUUID("holder_session").toString(), row.getString("holder_user_id"), row.getString("holder_name")),
      millis(row.getOffsetDateTime("deadline")));
  }

  private static UUID session(String sessionId) {
    try {
      return UUID.fromString(sessionId);
    } catch (IllegalArgumentException e) {
      throw Failure.badRequest("sessionId must be a uuid");
    }
  }

  private static OffsetDateTime time(long millis) {
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
  }

  private static long millis(OffsetDateTime time) {
    return time.toInstant().toEpochMilli();
  }

  /**
   * Failures with a protocol code (400, 404, ...) pass through; anything else (the database unreachable, a statement
   * failing) is logged with its cause and answered 503, without the database's words.
   */
  private <T> Future<T> unavailable(Throwable failure) {
    return Failure.<T>storeUnavailable("lock store", failures, LOG).apply(failure);
  }
}
