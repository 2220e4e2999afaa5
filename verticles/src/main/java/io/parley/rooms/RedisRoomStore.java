package io.parley.rooms;

import io.parley.shared.Envelope;
import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RedisScript;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link RoomStore} in Redis, shared by every node: Redis is the broker. Each operation that
 * reads and writes is one Lua script, so Redis's one-script-at-a-time execution is what makes
 * it atomic; nothing is checked in Java and then written. Publishing saves to history and
 * {@code PUBLISH}es on the delivery channel in the same script (as Centrifuge's Redis broker
 * does), so every node's subscriber hears a room's envelopes in offset order.
 *
 * <p>Keys, all starting with the configured prefix {@code <p>} (e.g. {@code parley:}). The
 * kind comes before the name, so no room or connection name can make two keys collide:
 * <pre>
 * &lt;p&gt;room:&lt;room&gt;           hash   {epoch, offset, lastTs}
 * &lt;p&gt;history:&lt;room&gt;        list   "&lt;ts&gt;|&lt;envelope json&gt;", oldest first, at most maxSize
 * &lt;p&gt;conns:&lt;room&gt;          hash   connectionId → userId
 * &lt;p&gt;users:&lt;room&gt;          hash   userId → number of that user's connections in the room
 * &lt;p&gt;names:&lt;room&gt;          hash   userId → display name
 * &lt;p&gt;infos:&lt;room&gt;          hash   userId → info JSON, for members that gave one
 * &lt;p&gt;last:&lt;room&gt;           string "&lt;ts&gt;|&lt;envelope json&gt;": the room's last server event ({@link #lastServerEvent})
 * &lt;p&gt;chans:&lt;room&gt;          hash   connectionId → the channel it joined with (only those that named one)
 * &lt;p&gt;conn:&lt;connectionId&gt;    hash   {node, inactive}           (while the connection is in a room)
 * &lt;p&gt;conn-rooms:&lt;connId&gt;    set    rooms the connection is in
 * &lt;p&gt;node-conns:&lt;nodeId&gt;    set    connections held by that node
 * &lt;p&gt;nodes                 zset   nodeId → lease expiry (injected clock millis)
 * &lt;p&gt;occupied              zset   every room that has members, all scored 0 (listed by name, ZRANGEBYLEX)
 * &lt;p&gt;evicted:&lt;nodeId&gt;      string set when another node evicted it; read and removed by its
 *                              next renewal, expires after {@link #EVICTION_MARK_TTL_MS}
 * &lt;p&gt;deliver               channel: every envelope (JSON) and presence announcement
 * </pre>
 *
 * <p>Time: every timestamp and expiry decision uses the injected {@link Clock}. Redis TTLs only
 * collect garbage: a room left with no members gets {@code PEXPIRE maxAgeMs + 1 h} on its room
 * hash and history (kept for catch-up until then, if the policy keeps empty rooms), and a
 * member's join removes it. A room that has neither members nor unexpired history by the
 * injected clock counts as gone (a new epoch next time) whether or not Redis collected its keys.
 *
 * <p>Scripts (loaded with {@code SCRIPT LOAD} at creation, run with {@code EVALSHA}, reloaded
 * once on {@code NOSCRIPT}): {@code common.lua} (layout and room-life rules, prepended to each),
 * {@code join}, {@code leave}, {@code set_active}, {@code publish}, {@code state},
 * {@code history}, {@code evict}, {@code occupied}. They touch keys derived from the prefix and the names in
 * their arguments, so they need every key on one Redis: standalone, sentinel or replication; on
 * Redis Cluster only with a hash-tagged prefix such as {@code {parley}:}, which puts every key
 * in one slot.
 *
 * <p>Delivery: each store holds one dedicated connection subscribed to {@code <p>deliver} (and
 * named so in {@code CLIENT LIST}) and hands each message to the delivery consumer, on every
 * node. If that connection drops the store resubscribes, retrying at least twice a second so
 * that live delivery resumes soon after Redis is back; envelopes published meanwhile are not
 * delivered to this node, and clients recover that gap through {@link #history} (the offsets
 * tell them it exists; a Redis that restarted empty gives the room a new epoch, which tells
 * them what was lost).
 *
 * <p>Outages: every operation a request needs fails with a 503 "room store unavailable; try
 * again" while Redis cannot be reached (a refused connection fails at once), never with the
 * client's own exception. The lease operations are the node's, not a request's: they fail as
 * they are and {@link NodeLiveness} copes.
 */
public final class RedisRoomStore implements RoomStore {

  private static final Logger LOG = LoggerFactory.getLogger(RedisRoomStore.class);

  /** Added to maxAgeMs for the garbage-collection TTL of an empty room's keys. */
  static final long GC_MARGIN_MS = TimeUnit.HOURS.toMillis(1);
  /**
   * How long the mark an eviction leaves waits for the evicted node's next renewal. A node
   * paused longer than this finds no mark and takes its lease as {@link Lease#NEW}: it joins
   * its rooms again rather than closing its sockets, which repairs presence just as well.
   */
  static final long EVICTION_MARK_TTL_MS = TimeUnit.HOURS.toMillis(1);
  private static final String STORE = "room store";

  private final Redis redis;
  private final FailureLog failures;
  private final String prefix;
  private final Clock clock;
  private final RoomsOptions.HistoryPolicy policy;
  private final String channel;
  private final Subscriber subscriber;
  /**
   * Lease renewals have a connection of their own, opened by the first renewal on the context
   * that renews (the node's liveness context, on a thread of its own): a node whose event loops
   * are saturated by deliveries still renews on time, instead of being evicted by the others
   * while it is merely busy, and renewals never queue behind other commands in the shared pool.
   */
  private final Redis leases;
  private final RedisScript join;
  private final RedisScript leave;
  private final RedisScript setActive;
  private final RedisScript publish;
  private final RedisScript state;
  private final RedisScript history;
  private final RedisScript evict;
  private final RedisScript occupied;

  private RedisRoomStore(Vertx vertx, Redis redis, RedisOptions options, String prefix, Clock clock,
                         RoomsOptions.HistoryPolicy policy, Consumer<EncodedEnvelope> delivery, FailureLog failures) {
    this.redis = redis;
    this.failures = failures;
    this.leases = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1).setMaxPoolWaiting(16));
    this.prefix = prefix;
    this.clock = clock;
    this.policy = policy;
    this.channel = prefix + "deliver";
    this.join = RedisScript.of(RedisRoomStore.class, "join");
    this.leave = RedisScript.of(RedisRoomStore.class, "leave");
    this.setActive = RedisScript.of(RedisRoomStore.class, "set_active");
    this.publish = RedisScript.of(RedisRoomStore.class, "publish");
    this.state = RedisScript.of(RedisRoomStore.class, "state");
    this.history = RedisScript.of(RedisRoomStore.class, "history");
    this.evict = RedisScript.of(RedisRoomStore.class, "evict");
    this.occupied = RedisScript.of(RedisRoomStore.class, "occupied");
    this.subscriber = new Subscriber(vertx, options, channel, delivery);
  }

  /**
   * Loads the scripts and subscribes to the delivery channel; completes once the subscription
   * is confirmed, so that an envelope published right after is heard.
   *
   * @param redis    the shared client for commands; {@link #close} leaves it open
   * @param options  to open this store's own subscriber connection
   * @param prefix   starts every key and the channel, e.g. {@code parley:}
   * @param delivery receives every envelope and announcement, on the subscriber's event loop
   * @param failures the node's failure log: an outage is logged once per kind and interval, and counted
   */
  public static Future<RedisRoomStore> create(Vertx vertx, Redis redis, RedisOptions options, String prefix, Clock clock,
                                              RoomsOptions.HistoryPolicy policy, Consumer<EncodedEnvelope> delivery,
                                              FailureLog failures) {
    RedisRoomStore store;
    try {
      store = new RedisRoomStore(vertx, redis, options, prefix, clock, policy, delivery, failures);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Future.all(List.of(
        store.join.load(redis), store.leave.load(redis), store.setActive.load(redis), store.publish.load(redis),
        store.state.load(redis), store.history.load(redis), store.evict.load(redis), store.occupied.load(redis)))
      .compose(loaded -> store.subscriber.start())
      .map(subscribed -> store)
      .recover(e -> store.subscriber.close().transform(closed -> Future.failedFuture(e)));
  }

  @Override
  public Future<Joined> join(RoomName room, Member member) {
    return available(room(join, room, member.connectionId(), member.userId(), orEmpty(member.name()), orEmpty(member.nodeId()), newEpoch(),
        member.info() == null ? "" : member.info().encode(), orEmpty(member.channel()))
      .map(reply -> new Joined(reply.get(0).toInteger() == 1, reply.get(1).toInteger() == 1)));
  }

  @Override
  public Future<Left> leave(RoomName room, String connectionId) {
    return available(room(leave, room, connectionId)
      .map(reply -> reply == null ? null : new Left(member(reply, 0, connectionId), reply.get(2).toInteger() == 1)));
  }

  /** Who left, from the {@code userId, name, vacated, channel} a script answers at {@code at} (common.lua's leave_room). */
  private static Member member(Response reply, int at, String connectionId) {
    String channel = reply.get(at + 3).toString();
    return new Member(reply.get(at).toString(), reply.get(at + 1).toString(), null, connectionId, null, null,
      channel.isEmpty() ? null : channel);
  }

  @Override
  public Future<Void> setActive(String connectionId, boolean active) {
    return available(run(setActive, prefix + "conn:" + connectionId, connectionId, active ? "1" : "0").mapEmpty());
  }

  @Override
  public Future<Envelope> publish(RoomName room, Draft draft) {
    // Java encodes the caller's data once; the script only concatenates text around it, so
    // what is stored and delivered is byte for byte what was sent (cjson would not keep [] or
    // large numbers).
    String head = withoutBraces(new JsonObject()
      .put("destination", room.value()).put("event", draft.event()).put("data", draft.data()));
    Envelope.From from = draft.from();
    String fromText = from == null ? "" : "," + withoutBraces(new JsonObject()
      .put("from", new JsonObject().put("userId", from.userId()).put("sessionId", from.sessionId())));
    return available(room(publish, room, newEpoch(), head, fromText, channel, Long.toString(LAST_SERVER_EVENT_MS),
        RoomStore.isServerEvent(from) ? "1" : "0")
      .map(reply -> Envelope.fromJson(new JsonObject(reply.toBuffer()))));
  }

  @Override
  public Future<Envelope> lastServerEvent(RoomName room) {
    // the age is judged by the injected clock; the key's TTL only collects garbage
    return available(redis.send(Request.cmd(Command.GET).arg(prefix + "last:" + room.value())).map(reply -> {
      if (reply == null) {
        return null;
      }
      String entry = reply.toString();
      int bar = entry.indexOf('|');
      long ts = Long.parseLong(entry.substring(0, bar));
      return clock.millis() - ts > LAST_SERVER_EVENT_MS ? null : Envelope.fromJson(new JsonObject(entry.substring(bar + 1)));
    }));
  }

  @Override
  public Future<Void> announce(Envelope presence) {
    return available(redis.send(Request.cmd(Command.PUBLISH).arg(channel).arg(EncodedEnvelope.toMessage(presence))).mapEmpty());
  }

  @Override
  public Future<Lease> renewLease(String nodeId, long leaseMs) {
    // the score is read before it is set, in the same MULTI, to learn whether the lease was
    // still there; a missing lease is an eviction only if evict.lua left its mark (a Redis
    // that restarted empty lost the lease without anyone declaring the node dead)
    String evictedKey = prefix + "evicted:" + nodeId;
    return leases.batch(List.of(
        Request.cmd(Command.MULTI),
        Request.cmd(Command.ZSCORE).arg(prefix + "nodes").arg(nodeId),
        Request.cmd(Command.ZADD).arg(prefix + "nodes").arg(clock.millis() + leaseMs).arg(nodeId),
        Request.cmd(Command.GET).arg(evictedKey),
        Request.cmd(Command.DEL).arg(evictedKey),
        Request.cmd(Command.EXEC)))
      .map(replies -> {
        Response exec = replies.get(replies.size() - 1);
        if (exec == null || exec.size() < 4) {
          throw new IllegalStateException("renewing the lease of " + nodeId + ": MULTI answered " + exec);
        }
        if (exec.get(0) != null) {
          return Lease.HELD;
        }
        return exec.get(2) != null ? Lease.EVICTED : Lease.NEW;
      });
  }

  @Override
  public Future<List<Departure>> evictExpiredNodes() {
    long now = clock.millis();
    return redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(prefix + "nodes").arg("-inf").arg(now))
      .compose(expired -> {
        Future<List<Departure>> evicted = Future.succeededFuture(new ArrayList<>());
        for (Response node : expired) {
          // one script per node claims it; a node evicted meanwhile by another caller answers nothing
          evicted = evicted.compose(departures -> run(evict, now, prefix + "nodes", node.toString(), Long.toString(EVICTION_MARK_TTL_MS))
            .map(reply -> {
              for (int i = 0; i + 5 < reply.size(); i += 6) {
                departures.add(new Departure(RoomName.of(reply.get(i).toString()), member(reply, i + 2, reply.get(i + 1).toString()),
                  reply.get(i + 4).toInteger() == 1));
              }
              return departures;
            }));
        }
        return evicted;
      });
  }

  @Override
  public Future<Integer> memberCount(RoomName room) {
    return available(redis.send(Request.cmd(Command.HLEN).arg(prefix + "users:" + room.value())).map(Response::toInteger));
  }

  @Override
  public Future<Boolean> hasMember(RoomName room, String userId) {
    return available(redis.send(Request.cmd(Command.HEXISTS).arg(prefix + "users:" + room.value()).arg(userId))
      .map(reply -> reply.toInteger() == 1));
  }

  @Override
  public Future<List<Occupied>> occupiedRooms(String namePrefix, int limit) {
    return available(run(occupied, prefix + "occupied", namePrefix, Integer.toString(limit)).map(reply -> {
      List<Occupied> rooms = new ArrayList<>(reply.size() / 2);
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        rooms.add(new Occupied(RoomName.of(reply.get(i).toString()), reply.get(i + 1).toInteger()));
      }
      return rooms;
    }));
  }

  @Override
  public Future<RoomState> state(RoomName room) {
    return available(room(state, room).map(reply -> {
      if (reply == null) {
        return null;
      }
      List<RoomState.Presence> members = new ArrayList<>((reply.size() - 3) / 5);
      for (int i = 3; i + 4 < reply.size(); i += 5) {
        String info = reply.get(i + 4).toString();
        members.add(new RoomState.Presence(reply.get(i).toString(), reply.get(i + 1).toString(),
          reply.get(i + 2).toInteger(), "1".equals(reply.get(i + 3).toString()), info.isEmpty() ? null : new JsonObject(info)));
      }
      return new RoomState(room.value(), reply.get(0).toString(), reply.get(1).toLong(), reply.get(2).toLong(), members);
    }));
  }

  @Override
  public Future<HistoryPage> history(RoomName room, String epoch, long sinceOffset) {
    return available(room(history, room, epoch == null ? "0" : "1", epoch == null ? "" : epoch, Long.toString(sinceOffset))
      .map(reply -> switch (reply.get(0).toString()) {
        // nothing exists to miss only if the client never saw this room's stream
        case "missing" -> epoch == null && sinceOffset == 0
          ? new HistoryPage(true, null, List.of())
          : HistoryPage.notRecovered(null);
        case "lost" -> HistoryPage.notRecovered(reply.get(1).toString());
        default -> {
          List<Envelope> events = new ArrayList<>(reply.size() - 2);
          for (int i = 2; i < reply.size(); i++) {
            events.add(Envelope.fromJson(new JsonObject(reply.get(i).toBuffer())));
          }
          yield new HistoryPage(true, reply.get(1).toString(), events);
        }
      }));
  }

  /** Closes this store's subscriber connection; the shared {@link Redis} client stays open. */
  @Override
  public Future<Void> close() {
    leases.close();
    return subscriber.close();
  }

  /** A request's operation: Redis being away (or answering oddly) is a 503 that says to retry. */
  private <T> Future<T> available(Future<T> operation) {
    return operation.recover(Failure.storeUnavailable(STORE, failures, LOG));
  }

  // ---------------------------------------------------------------- scripts

  /** Runs a room script: KEYS[1] is the room's hash (it routes the call), ARGV starts with the common six. */
  private Future<Response> room(RedisScript script, RoomName room, String... own) {
    String[] args = new String[own.length + 1];
    args[0] = room.value();
    System.arraycopy(own, 0, args, 1, own.length);
    return run(script, prefix + "room:" + room.value(), args);
  }

  private Future<Response> run(RedisScript script, String key, String... own) {
    return run(script, clock.millis(), key, own);
  }

  private Future<Response> run(RedisScript script, long now, String key, String... own) {
    List<String> args = new ArrayList<>(6 + own.length);
    args.add(prefix);
    args.add(Long.toString(now));
    args.add(Integer.toString(policy.maxSize()));
    args.add(Long.toString(policy.maxAgeMs()));
    args.add(policy.keepWhenEmpty() ? "1" : "0");
    args.add(Long.toString(policy.maxAgeMs() + GC_MARGIN_MS));
    args.addAll(List.of(own));
    return script.run(redis, key, args);
  }

  /** Used only when the room has to be created; random, so a recreated room never reuses one. */
  private static String newEpoch() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  private static String withoutBraces(JsonObject json) {
    String text = json.encode();
    return text.substring(1, text.length() - 1);
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }

  // ---------------------------------------------------------------- delivery

  /**
   * This store's own connection subscribed to the delivery channel. Pushed messages arrive on
   * the connection's handler, in the order Redis published them.
   */
  private static final class Subscriber {
    private static final long MIN_BACKOFF_MS = 100;
    /**
     * A refused connection costs Redis nothing, while every retry delay is delivery missed
     * after Redis is back: the retries stay frequent enough that live delivery resumes within
     * about half a second of Redis accepting connections again.
     */
    static final long MAX_BACKOFF_MS = 500;
    private static final long SUBSCRIBE_TIMEOUT_MS = 10_000;

    private final Vertx vertx;
    private final Redis client;
    private final String channel;
    private final Consumer<EncodedEnvelope> delivery;
    private RedisConnection connection;
    private Promise<Void> subscribed;
    private boolean closed;
    private long retryTimer = -1;
    private long backoffMs = MIN_BACKOFF_MS;
    /** When the subscription was lost (System.nanoTime), to say how long delivery was away. */
    private long lostAt;

    Subscriber(Vertx vertx, RedisOptions options, String channel, Consumer<EncodedEnvelope> delivery) {
      this.vertx = vertx;
      // a client of its own, so the subscribed connection never takes a slot of the shared pool
      this.client = Redis.createClient(vertx, new RedisOptions(options).setMaxPoolSize(1));
      this.channel = channel;
      this.delivery = delivery;
    }

    /** Connects and subscribes; completes when Redis confirmed the subscription. */
    Future<Void> start() {
      return client.connect().compose(conn -> {
        Promise<Void> confirmed = Promise.promise();
        synchronized (this) {
          if (closed) {
            return conn.close().transform(v -> Future.failedFuture("room store closed"));
          }
          connection = conn;
          subscribed = confirmed;
        }
        conn.handler(reply -> onPush(conn, reply));
        conn.exceptionHandler(e -> lost(conn, e));
        conn.endHandler(v -> lost(conn, null));
        // named so that CLIENT LIST shows what it is; SUBSCRIBE completes when written, its
        // confirmation is a push (see onPush)
        return conn.send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(clientName(channel)))
          .compose(named -> conn.send(Request.cmd(Command.SUBSCRIBE).arg(channel)))
          .compose(written -> confirmed.future().timeout(SUBSCRIBE_TIMEOUT_MS, TimeUnit.MILLISECONDS))
          .onFailure(e -> {
            synchronized (this) {
              if (connection == conn) {
                connection = null; // the caller retries or fails; lost() must not retry too
              }
            }
            conn.close();
          });
      });
    }

    /** {@code <p>deliver} as a client name, which allows no spaces or control characters. */
    private static String clientName(String channel) {
      return channel.replaceAll("[^!-~]", "_");
    }

    private void onPush(RedisConnection conn, Response reply) {
      if (reply == null || reply.size() < 3) {
        return;
      }
      String kind = reply.get(0).toString();
      if ("message".equals(kind)) {
        EncodedEnvelope envelope;
        try {
          envelope = EncodedEnvelope.fromMessage(reply.get(2).toBuffer());
        } catch (RuntimeException e) {
          LOG.warn("Ignoring a message on {} that is not an envelope: {}", channel, e.getMessage());
          return;
        }
        try {
          delivery.accept(envelope);
        } catch (RuntimeException e) {
          LOG.error("Delivery of an envelope for {} failed", envelope.room(), e);
        }
      } else if ("subscribe".equals(kind)) {
        Promise<Void> confirmed;
        synchronized (this) {
          confirmed = conn == connection ? subscribed : null;
        }
        if (confirmed != null) {
          confirmed.tryComplete();
        }
      }
    }

    /** The connection failed or ended: resubscribe on a new one, backing off while that fails. */
    private void lost(RedisConnection conn, Throwable cause) {
      synchronized (this) {
        if (closed || conn != connection) {
          return;
        }
        connection = null;
      }
      conn.close();
      // Envelopes published until the new subscription are not delivered to this node; each
      // client notices the gap in offsets and recovers it through history.
      LOG.warn("Lost the Redis subscription to {} ({}); live delivery to this node stops until it is back, "
        + "retrying every {} ms at most", channel, cause == null ? "connection closed" : cause.getMessage(), MAX_BACKOFF_MS);
      synchronized (this) {
        lostAt = System.nanoTime();
      }
      scheduleRetry();
    }

    private synchronized void scheduleRetry() {
      if (closed) {
        return;
      }
      long delay = backoffMs;
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      retryTimer = vertx.setTimer(delay, id -> start().onComplete(result -> {
        if (result.succeeded()) {
          long awayMs;
          synchronized (this) {
            backoffMs = MIN_BACKOFF_MS;
            awayMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAt);
          }
          LOG.info("Resubscribed to {} after {} ms; live delivery to this node resumes", channel, awayMs);
        } else {
          // one line when the subscription was lost and one when it is back; the attempts between
          // would say the same thing twice a second for as long as Redis is away
          LOG.debug("Resubscribing to {} failed ({}); retrying in {} ms", channel, result.cause().getMessage(), backoffMs);
          scheduleRetry();
        }
      }));
    }

    Future<Void> close() {
      RedisConnection conn;
      synchronized (this) {
        if (closed) {
          return Future.succeededFuture();
        }
        closed = true;
        conn = connection;
        connection = null;
        if (retryTimer != -1) {
          vertx.cancelTimer(retryTimer);
        }
      }
      Future<Void> closing = conn == null ? Future.succeededFuture() : conn.close().otherwiseEmpty();
      return closing.eventually(client::close);
    }
  }
}
