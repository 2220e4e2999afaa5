package io.parley.votes;

import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.RealtimeService;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Planning poker on {@link RealtimeService}: an application's provider-neutral
 * {@code trigger("planning-poker-<id>", event, data)} is {@link RealtimeService#trigger} here,
 * unchanged. The whole flow, in order:
 *
 * <pre>
 * a member registers room.planning-poker-&lt;id&gt;  → member-joined {userId, name}   (once per user per session)
 * server: poker.start {id, taskId}              → (votes cleared; the task is open)
 * a member: votes.cast {room, value, ts, taskId?} → vote {userId, taskId}        (the value stays hidden)
 * server: poker.finalize {id, taskId, nextTaskId?} → task-finalized {taskId, votes: {userId: value}, result, nextTaskId}
 * server: poker.end {id}                        → session-ended {}
 * </pre>
 *
 * Values are revealed once, by {@code task-finalized}: no event, tick or reply carries another
 * member's value before that, and {@code votes.history} of a poker room lists who voted, not
 * what. A member who leaves keeps their vote for the open task (the round is explicit, and
 * everyone was told they voted). {@code result} is the most common value, {@code "?"} ("no
 * idea") left out; a tie goes to the value later in the options (the larger estimate); null
 * when nobody gave an estimate.
 *
 * <p>The store makes each step atomic: a vote lands in exactly one task, and finalizing reveals
 * and clears in one step, so a vote arriving meanwhile is either revealed now or refused.
 */
public final class PlanningPoker {

  private static final Logger LOG = LoggerFactory.getLogger(PlanningPoker.class);

  public static final String ROOM_PREFIX = "planning-poker-";
  public static final String VOTE = "vote";
  public static final String MEMBER_JOINED = "member-joined";
  public static final String TASK_FINALIZED = "task-finalized";
  public static final String SESSION_ENDED = "session-ended";
  /** The option that means "no idea": revealed with the others, never the result. */
  public static final String UNSURE = "?";
  public static final int MAX_TASK_ID_LENGTH = 128;

  private final VoteStore store;
  private final RealtimeService realtime;
  private final List<String> options;
  private final FailureLog failures;

  public PlanningPoker(VoteStore store, RealtimeService realtime, List<String> options, FailureLog failures) {
    this.store = store;
    this.realtime = realtime;
    this.options = List.copyOf(options);
    this.failures = failures;
  }

  /** Whether the room is a poker session's. */
  public static boolean isPokerRoom(RoomName room) {
    return room.suffixAfter(ROOM_PREFIX).isPresent();
  }

  /** The session's room; a 400 when {@code id} does not make a valid room name. */
  public static RoomName roomOf(String id) {
    return RoomName.of(ROOM_PREFIX + id);
  }

  /** Opens the estimation of {@code taskId}; every earlier vote is cleared. → {@code {id, taskId}}. */
  public Future<JsonObject> start(String id, String taskId) {
    RoomName room = roomOf(id);
    checkTaskId("taskId", taskId);
    return store.openRound(room, taskId).map(v -> new JsonObject().put("id", id).put("taskId", taskId));
  }

  /**
   * A member's vote (membership checked by the caller; {@code value} one of the options).
   * → {@code {accepted, taskId}}; the room hears {@code vote {userId, taskId}} when accepted.
   */
  public Future<JsonObject> vote(RoomName room, String userId, String value, long ts, String expectedTaskId) {
    if (expectedTaskId != null) {
      checkTaskId("taskId", expectedTaskId);
    }
    return store.castInRound(room, new VoteStore.Ballot(userId, value, ts), expectedTaskId).compose(cast -> switch (cast.outcome()) {
      case ACCEPTED -> publish(room, VOTE, new JsonObject().put("userId", userId).put("taskId", cast.round()))
        .map(v -> new JsonObject().put("accepted", true).put("taskId", cast.round()));
      case STALE -> Future.succeededFuture(new JsonObject().put("accepted", false).put("taskId", cast.round()));
      case NO_ROUND -> Future.failedFuture(Failure.conflict("no task is being estimated in " + room
        + ": votes open when the session starts one (poker.start)"));
      case OTHER_ROUND -> Future.failedFuture(Failure.conflict("task " + expectedTaskId + " is not being estimated in "
        + room + "; " + cast.round() + " is"));
    });
  }

  /** A user's first connection joined the room: {@code member-joined} once per user per session. */
  public Future<Void> joined(RoomName room, String userId, String name) {
    return store.addParticipant(room, userId).compose(first -> first
      ? publish(room, MEMBER_JOINED, new JsonObject().put("userId", userId).put("name", name))
      : Future.succeededFuture());
  }

  /**
   * Reveals the task's votes and clears them, opening {@code nextTaskId} (if given) in the same
   * step. → the {@code task-finalized} data; a 409 when {@code taskId} is not being estimated.
   */
  public Future<JsonObject> finalizeTask(String id, String taskId, String nextTaskId) {
    RoomName room = roomOf(id);
    checkTaskId("taskId", taskId);
    if (nextTaskId != null) {
      checkTaskId("nextTaskId", nextTaskId);
    }
    return store.closeRound(room, taskId, nextTaskId).compose(votes -> {
      if (votes == null) {
        return Future.failedFuture(Failure.conflict("task " + taskId + " is not being estimated in " + room
          + " (it was finalized already, or never started with poker.start)"));
      }
      JsonObject data = new JsonObject()
        .put("taskId", taskId)
        .put("votes", new JsonObject(new TreeMap<>(votes)))
        .put("result", result(votes.values(), options))
        .put("nextTaskId", nextTaskId);
      return publish(room, TASK_FINALIZED, data).map(v -> data.copy());
    });
  }

  /** Ends the session: {@code session-ended {}}, and its votes, task and members are forgotten. → {@code {}}. */
  public Future<JsonObject> end(String id) {
    RoomName room = roomOf(id);
    return store.clear(room).compose(v -> publish(room, SESSION_ENDED, new JsonObject())).map(v -> new JsonObject());
  }

  /**
   * What a member who joins late may know: {@code {data: [], taskId, voted: [userId...]}}, the
   * open task (null when none) and who has voted on it, never what. {@code data} is empty: a
   * poker room has no tallies (see {@link VotesVerticle}).
   */
  public Future<JsonObject> state(RoomName room) {
    return store.round(room).map(round -> new JsonObject()
      .put("data", new JsonArray())
      .put("taskId", round == null ? null : round.id())
      .put("voted", round == null ? new JsonArray() : new JsonArray(round.voters().stream().sorted().toList())));
  }

  /**
   * The most common value, {@link #UNSURE} left out; a tie goes to the value later in
   * {@code options} (the larger estimate); null when there is no estimate.
   */
  static String result(Collection<String> values, List<String> options) {
    Map<String, Integer> counts = new HashMap<>();
    for (String value : values) {
      if (!UNSURE.equals(value)) {
        counts.merge(value, 1, Integer::sum);
      }
    }
    String best = null;
    for (Map.Entry<String, Integer> entry : counts.entrySet()) {
      if (best == null || entry.getValue() > counts.get(best)
        || (entry.getValue().equals(counts.get(best)) && options.indexOf(entry.getKey()) > options.indexOf(best))) {
        best = entry.getKey();
      }
    }
    return best;
  }

  private static void checkTaskId(String field, String taskId) {
    if (taskId.isEmpty() || taskId.length() > MAX_TASK_ID_LENGTH) {
      throw Failure.badRequest(field + " must be 1 to " + MAX_TASK_ID_LENGTH + " characters");
    }
  }

  /** A server event in the room; a failure to publish is logged, never undoes what the store did. */
  private Future<Void> publish(RoomName room, String event, JsonObject data) {
    return realtime.trigger(room.value(), event, data).<Void>mapEmpty()
      .recover(e -> {
        failures.warn("publishing planning poker events", e, LOG);
        return Future.succeededFuture();
      });
  }
}
