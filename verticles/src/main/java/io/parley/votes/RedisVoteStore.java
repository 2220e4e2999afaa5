package io.parley.votes;

import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RedisScript;

import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link VoteStore} in Redis, shared by every node. Every operation that touches more than one
 * key, or reads and then writes, is one Lua script, so Redis's one-script-at-a-time execution
 * makes it atomic; nothing is checked in Java and then written.
 *
 * <p>Keys, all starting with the configured prefix {@code <p>} (the rooms store's, e.g.
 * {@code parley:}; the {@code votes:} kind keeps them apart from its keys). The kind comes
 * before the room, so no room name can make two keys collide:
 * <pre>
 * &lt;p&gt;votes:ballots:&lt;room&gt;      hash    userId → "&lt;ts&gt;|&lt;storedAt&gt;|&lt;option&gt;" (each user's current vote)
 * &lt;p&gt;votes:counts:&lt;room&gt;       hash    option → users whose current vote it is (no zero fields)
 * &lt;p&gt;votes:history:&lt;room&gt;      list    "&lt;ts&gt;|&lt;tick json&gt;", oldest first, bounded
 * &lt;p&gt;votes:meta:&lt;room&gt;         hash    {lastTick}
 * &lt;p&gt;votes:round:&lt;room&gt;        string  the open round (planning poker: the task)
 * &lt;p&gt;votes:participants:&lt;room&gt; set     users announced in the poker session
 * &lt;p&gt;votes:active              set     rooms to tick (votes or members)
 * &lt;p&gt;votes:claim:&lt;n&gt;           string  interval n of the tally clock is taken (SET NX PX)
 * </pre>
 * Who is connected is the rooms store's {@code <p>users:<room>} hash (its size), not kept here.
 *
 * <p>Garbage collection only (decisions use the injected clock): a room's history and meta
 * expire {@code historyMaxAgeMs + 1 h} after its last tick, a poker room's keys
 * {@link #ROUND_ROOM_TTL_MS} after its last change, a claim after {@code 2 · tickMs}.
 *
 * <p>Scripts ({@code common.lua} prepended to each, loaded at creation, run with
 * {@code EVALSHA}): {@code cast}, {@code withdraw}, {@code tick}, {@code history},
 * {@code open_round}, {@code close_round}, {@code round}, {@code participant}, {@code clear}.
 * Like the rooms store's, they derive keys from the prefix and need every key on one Redis
 * (standalone, sentinel, replication; Redis Cluster only with a hash-tagged prefix).
 *
 * <p>While Redis cannot be reached every operation fails with a 503 "vote store unavailable;
 * try again": every command goes through {@link #run} or {@link #send}.
 */
public final class RedisVoteStore implements VoteStore {

  private static final Logger LOG = LoggerFactory.getLogger(RedisVoteStore.class);
  private static final String STORE = "vote store";

  /** Added to historyMaxAgeMs for the TTL of a room's history. */
  static final long GC_MARGIN_MS = TimeUnit.HOURS.toMillis(1);
  /** A poker room untouched this long (no vote, no round, no join) is forgotten. */
  static final long ROUND_ROOM_TTL_MS = TimeUnit.HOURS.toMillis(24);

  private final Redis redis;
  private final FailureLog failures;
  private final String prefix;
  private final Clock clock;
  private final VotesOptions.HistoryPolicy policy;
  private final RedisScript cast = RedisScript.of(RedisVoteStore.class, "cast");
  private final RedisScript withdraw = RedisScript.of(RedisVoteStore.class, "withdraw");
  private final RedisScript tick = RedisScript.of(RedisVoteStore.class, "tick");
  private final RedisScript history = RedisScript.of(RedisVoteStore.class, "history");
  private final RedisScript openRound = RedisScript.of(RedisVoteStore.class, "open_round");
  private final RedisScript closeRound = RedisScript.of(RedisVoteStore.class, "close_round");
  private final RedisScript round = RedisScript.of(RedisVoteStore.class, "round");
  private final RedisScript participant = RedisScript.of(RedisVoteStore.class, "participant");
  private final RedisScript clear = RedisScript.of(RedisVoteStore.class, "clear");

  private RedisVoteStore(Redis redis, String prefix, Clock clock, VotesOptions.HistoryPolicy policy, FailureLog failures) {
    this.redis = redis;
    this.failures = failures;
    this.prefix = prefix;
    this.clock = clock;
    this.policy = policy;
  }

  /**
   * Loads the scripts.
   *
   * @param redis  the shared client; {@link #close} leaves it open
   * @param prefix starts every key, e.g. {@code parley:}
   * @param failures the node's failure log: an outage is logged once per kind and interval, and counted
   */
  public static Future<RedisVoteStore> create(Redis redis, String prefix, Clock clock, VotesOptions.HistoryPolicy policy,
                                              FailureLog failures) {
    RedisVoteStore store;
    try {
      store = new RedisVoteStore(redis, prefix, clock, policy, failures);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return Future.all(List.of(store.cast.load(redis), store.withdraw.load(redis), store.tick.load(redis),
        store.history.load(redis), store.openRound.load(redis), store.closeRound.load(redis), store.round.load(redis),
        store.participant.load(redis), store.clear.load(redis)))
      .map(loaded -> store);
  }

  @Override
  public Future<Cast> cast(RoomName room, Ballot ballot) {
    return run(cast, room, ballot.userId(), ballot.option(), Long.toString(ballot.ts()), "tally", "", "0")
      .map(RedisVoteStore::castOf);
  }

  @Override
  public Future<Cast> castInRound(RoomName room, Ballot ballot, String expectedRound) {
    return run(cast, room, ballot.userId(), ballot.option(), Long.toString(ballot.ts()), "round",
      expectedRound == null ? "" : expectedRound, Long.toString(ROUND_ROOM_TTL_MS))
      .map(RedisVoteStore::castOf);
  }

  private static Cast castOf(Response reply) {
    String round = reply.get(1).toString();
    Outcome outcome = switch (reply.get(0).toString()) {
      case "accepted" -> Outcome.ACCEPTED;
      case "stale" -> Outcome.STALE;
      case "no-round" -> Outcome.NO_ROUND;
      case "other-round" -> Outcome.OTHER_ROUND;
      default -> throw new IllegalStateException("cast.lua answered " + reply);
    };
    return new Cast(outcome, round.isEmpty() ? null : round);
  }

  @Override
  public Future<Boolean> withdraw(RoomName room, String userId, long leftAt) {
    return run(withdraw, room, userId, Long.toString(leftAt)).map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Void> activate(RoomName room) {
    return send(Request.cmd(Command.SADD).arg(activeKey()).arg(room.value())).mapEmpty();
  }

  @Override
  public Future<List<RoomName>> activeRooms() {
    return send(Request.cmd(Command.SMEMBERS).arg(activeKey())).map(reply -> {
      List<RoomName> rooms = new ArrayList<>(reply.size());
      for (Response name : reply) {
        rooms.add(RoomName.of(name.toString()));
      }
      return rooms;
    });
  }

  @Override
  public Future<Boolean> claimInterval(long interval, long keepMs) {
    return send(Request.cmd(Command.SET).arg(prefix + "votes:claim:" + interval).arg(1)
        .arg("NX").arg("PX").arg(Math.max(1, keepMs)))
      .map(reply -> reply != null && "OK".equals(reply.toString()));
  }

  @Override
  public Future<Tick> tick(RoomName room, long ts, int connected, List<String> options) {
    List<String> own = new ArrayList<>(5 + options.size());
    own.add(Long.toString(ts));
    own.add(Integer.toString(connected));
    own.add(Integer.toString(policy.maxSize()));
    own.add(Long.toString(policy.maxAgeMs()));
    own.add(Long.toString(policy.maxAgeMs() + GC_MARGIN_MS));
    own.addAll(options);
    return run(tick, room, own.toArray(String[]::new)).map(reply -> reply == null ? null
      : new Tick(new JsonObject(reply.get(0).toBuffer()), reply.get(1).toInteger() == 1));
  }

  @Override
  public Future<List<JsonObject>> history(RoomName room, long sinceTs) {
    return run(history, room, Long.toString(sinceTs), Integer.toString(policy.maxSize()), Long.toString(policy.maxAgeMs()))
      .map(reply -> {
        List<JsonObject> entries = new ArrayList<>(reply.size());
        for (Response entry : reply) {
          entries.add(new JsonObject(entry.toBuffer()));
        }
        return entries;
      });
  }

  @Override
  public Future<Void> openRound(RoomName room, String id) {
    return run(openRound, room, id, Long.toString(ROUND_ROOM_TTL_MS)).mapEmpty();
  }

  @Override
  public Future<Map<String, String>> closeRound(RoomName room, String id, String nextRound) {
    return run(closeRound, room, id, nextRound == null ? "" : nextRound, Long.toString(ROUND_ROOM_TTL_MS))
      .map(reply -> {
        if (reply.get(0).toInteger() == 0) {
          return null;
        }
        Map<String, String> revealed = new HashMap<>();
        for (int i = 1; i + 1 < reply.size(); i += 2) {
          revealed.put(reply.get(i).toString(), reply.get(i + 1).toString());
        }
        return revealed;
      });
  }

  @Override
  public Future<Round> round(RoomName room) {
    return run(round, room).map(reply -> {
      if (reply == null) {
        return null;
      }
      List<String> voters = new ArrayList<>(reply.size() - 1);
      for (int i = 1; i < reply.size(); i++) {
        voters.add(reply.get(i).toString());
      }
      return new Round(reply.get(0).toString(), voters);
    });
  }

  @Override
  public Future<Boolean> addParticipant(RoomName room, String userId) {
    return run(participant, room, userId, Long.toString(ROUND_ROOM_TTL_MS)).map(reply -> reply.toInteger() == 1);
  }

  @Override
  public Future<Void> clear(RoomName room) {
    return run(clear, room).mapEmpty();
  }

  private String activeKey() {
    return prefix + "votes:active";
  }

  /** Runs a room script: KEYS[1] is the room's ballots (it routes the call); ARGV prefix, now, room, then its own. */
  private Future<Response> run(RedisScript script, RoomName room, String... own) {
    List<String> args = new ArrayList<>(3 + own.length);
    args.add(prefix);
    args.add(Long.toString(clock.millis()));
    args.add(room.value());
    args.addAll(List.of(own));
    return script.run(redis, prefix + "votes:ballots:" + room.value(), args).recover(Failure.storeUnavailable(STORE, failures, LOG));
  }

  private Future<Response> send(Request command) {
    return redis.send(command).recover(Failure.storeUnavailable(STORE, failures, LOG));
  }
}
