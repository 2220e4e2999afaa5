package io.parley.launcher;

import io.parley.auth.AuthOptions;
import io.parley.auth.MemorySessionStore;
import io.parley.auth.RedisSessionStore;
import io.parley.auth.SessionStore;
import io.parley.locks.LockStore;
import io.parley.locks.LocksOptions;
import io.parley.locks.MemoryLockStore;
import io.parley.locks.PgLockStore;
import io.parley.notifications.MemoryNotificationStore;
import io.parley.notifications.NotificationStore;
import io.parley.notifications.NotificationsOptions;
import io.parley.notifications.PgNotificationStore;
import io.parley.pusher.MemoryWebhookQueue;
import io.parley.pusher.RedisWebhookQueue;
import io.parley.pusher.WebhookQueue;
import io.parley.rooms.EncodedEnvelope;
import io.parley.rooms.MemoryRoomStore;
import io.parley.rooms.RedisRoomStore;
import io.parley.rooms.RoomStore;
import io.parley.rooms.RoomsOptions;
import io.parley.shared.FailureLog;
import io.parley.shared.PgSchema;
import io.parley.votes.MemoryVoteStore;
import io.parley.votes.RedisVoteStore;
import io.parley.votes.VoteStore;
import io.parley.votes.VotesOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.Consumer;

/**
 * The stores a node uses, chosen by the services configured ({@code docs/architecture.md}, stores): {@code redis.uri}
 * set → Redis for rooms, sessions, votes and the Pusher webhook queue; {@code pg.uri} set → Postgres for locks and
 * notifications (its migrations run first, once); unset → in memory, which a clustered node
 * refuses, since each node would then have rooms, sessions, votes, locks or notifications of
 * its own.
 */
record Stores(SessionStore sessions, RoomStore rooms, VoteStore votes, LockStore locks, NotificationStore notifications,
              WebhookQueue webhooks, Redis redis, Pool pg) {

  private static final Logger LOG = LoggerFactory.getLogger(Stores.class);

  static Future<Stores> create(Vertx vertx, JsonObject config, Clock clock, AuthOptions auth, RoomsOptions rooms,
                               VotesOptions votes, LocksOptions locks, NotificationsOptions notifications,
                               Consumer<EncodedEnvelope> delivery, FailureLog failures) {
    return createRoomsAndSessions(vertx, config, clock, auth, rooms, votes, delivery, failures)
      .compose(shared -> createLocksAndNotifications(vertx, config, clock, locks, notifications, failures)
        .map(pg -> new Stores(shared.sessions, shared.rooms, shared.votes, pg.locks, pg.notifications, shared.webhooks,
          shared.redis, pg.pool))
        .recover(e -> shared.close().transform(v -> Future.<Stores>failedFuture(e))));
  }

  /** Rooms, sessions, votes and the webhook queue: in Redis or in memory. */
  private record RoomsAndSessions(SessionStore sessions, RoomStore rooms, VoteStore votes, WebhookQueue webhooks, Redis redis) {
    Future<Void> close() {
      return Future.join(rooms.close(), sessions.close(), votes.close(), webhooks.close()).<Void>mapEmpty().eventually(() -> {
        if (redis != null) {
          redis.close();
        }
        return Future.succeededFuture();
      });
    }
  }

  private static Future<RoomsAndSessions> createRoomsAndSessions(Vertx vertx, JsonObject config, Clock clock,
                                                                 AuthOptions auth, RoomsOptions rooms,
                                                                 VotesOptions votes, Consumer<EncodedEnvelope> delivery,
                                                                 FailureLog failures) {
    JsonObject redisConfig = config.getJsonObject("redis", new JsonObject());
    String uri = redisConfig.getString("uri");
    if (uri == null || uri.isBlank()) {
      if (vertx.isClustered()) {
        return Future.failedFuture(new IllegalStateException("refusing to start: clustered, but rooms, sessions and votes would be "
          + "kept in each node's memory; set redis.uri (PARLEY_REDIS_URI=redis://127.0.0.1:6379) so every node shares them"));
      }
      return Future.succeededFuture(new RoomsAndSessions(
        new MemorySessionStore(clock, auth.sessionTtlMs()),
        new MemoryRoomStore(vertx, clock, rooms.history(), delivery),
        new MemoryVoteStore(clock, votes.history()),
        new MemoryWebhookQueue(clock),
        null));
    }
    String prefix = redisConfig.getString("prefix", "parley:");
    RedisOptions options = new RedisOptions().setConnectionString(uri)
      .setMaxPoolSize(redisConfig.getInteger("poolSize", 8))
      .setMaxPoolWaiting(10_000);
    Redis redis = Redis.createClient(vertx, options);
    return RedisRoomStore.create(vertx, redis, options, prefix, clock, rooms.history(), delivery, failures)
      .compose(roomStore -> RedisSessionStore.create(redis, prefix, clock, auth.sessionTtlMs(), failures)
        .compose(sessionStore -> RedisVoteStore.create(redis, prefix, clock, votes.history(), failures)
          .compose(voteStore -> RedisWebhookQueue.create(redis, prefix, clock, failures)
            .map(webhooks -> new RoomsAndSessions(sessionStore, roomStore, voteStore, webhooks, redis))))
        .recover(e -> roomStore.close().transform(v -> Future.<RoomsAndSessions>failedFuture(e))))
      .onFailure(e -> redis.close());
  }

  private record LocksAndNotifications(LockStore locks, NotificationStore notifications, Pool pool) {
  }

  /**
   * Locks and notifications: in Postgres when {@code pg.uri} is set, after the migrations ran
   * (blocking JDBC, on a worker thread, before any verticle deploys); else in memory, which a
   * clustered node that runs either verticle refuses: two nodes could each let a different tab
   * hold a resource, and a notification stored on one node could not be replayed from another.
   */
  private static Future<LocksAndNotifications> createLocksAndNotifications(Vertx vertx, JsonObject config, Clock clock,
                                                                           LocksOptions locks, NotificationsOptions notifications,
                                                                           FailureLog failures) {
    JsonObject pgConfig = config.getJsonObject("pg", new JsonObject());
    String uri = pgConfig.getString("uri");
    if (uri == null || uri.isBlank()) {
      JsonObject deployment = config.getJsonObject("deployment", new JsonObject());
      if (vertx.isClustered() && (deployment.getInteger("locks", 1) > 0 || deployment.getInteger("notifications", 1) > 0)) {
        return Future.failedFuture(new IllegalStateException("refusing to start: clustered, but locks and notifications would "
          + "be kept in each node's memory: two nodes could give the same resource to two tabs, and a tab could not "
          + "replay its notifications on another node; set pg.uri "
          + "(PARLEY_PG_URI=postgresql://postgres@127.0.0.1:5432/test) so every node shares them"));
      }
      return Future.succeededFuture(new LocksAndNotifications(new MemoryLockStore(clock, locks),
        new MemoryNotificationStore(clock, notifications), null));
    }
    PgSchema schema;
    try {
      schema = PgSchema.of(uri, pgConfig.getString("schema", PgSchema.DEFAULT_SCHEMA));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    return vertx.executeBlocking(() -> schema.migrate(PgSchema.LOCATION))
      .recover(e -> Future.failedFuture(new IllegalStateException("refusing to start: the Postgres migrations did not run on "
        + schema + " (pg.uri, PARLEY_PG_URI): " + e.getMessage(), e)))
      .map(applied -> {
        LOG.info("Postgres {}: {} migration(s) applied", schema, applied);
        Pool pool = schema.pool(vertx, pgConfig.getInteger("poolSize", 8));
        return new LocksAndNotifications(new PgLockStore(pool, clock, locks, failures),
          new PgNotificationStore(pool, clock, notifications, failures), pool);
      });
  }

  Future<Void> close() {
    return Future.join(new RoomsAndSessions(sessions, rooms, votes, webhooks, redis).close(), locks.close(), notifications.close())
      .<Void>mapEmpty()
      .eventually(() -> pg == null ? Future.succeededFuture() : pg.close());
  }
}
