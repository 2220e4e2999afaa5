package io.parley.votes;

import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * Votes ({@code docs/features.md}): each user's current option in a room, the number of
 * users per option, the tally history, and which interval of the tally clock has been taken;
 * plus the rounds of planning poker, where the options stay hidden
 * until a round is closed.
 *
 * <p>Contract, checked by {@code VoteStoreContract} against every implementation:
 * <ul>
 *   <li><b>Counts are kept, never computed.</b> Every change of a user's vote ({@link #cast},
 *       {@link #withdraw}, {@link #openRound}, {@link #closeRound}, {@link #clear}) updates the
 *       per-option counts in the same atomic step, so {@link #tick} reads one number per option
 *       and costs O(options) whether the room has ten voters or a hundred thousand. A count
 *       never disagrees with the ballots, however casts and withdrawals race.</li>
 *   <li><b>The latest vote wins, by the client's {@code ts}.</b> A cast whose {@code ts} is
 *       older than the user's stored one is {@link Outcome#STALE} and changes nothing (an equal
 *       {@code ts} replaces it), so a laggy connection delivering an old vote late cannot
 *       overwrite a newer one.</li>
 *   <li><b>Withdrawing is idempotent and never takes a newer vote.</b> {@link #withdraw} removes
 *       the vote only if it was stored (by the store's clock) no later than the moment the user
 *       left, so a repeated or late "left" cannot remove the vote of a user who came back and
 *       voted again.</li>
 *   <li><b>Each interval is ticked once.</b> {@link #claimInterval} answers true to exactly one
 *       caller per interval, across every store sharing the data; {@link #tick} appends a
 *       room's tally only for a {@code ts} later than its last one, so even a doubled claim
 *       cannot put the same interval (or an older one) into a room's history twice.</li>
 *   <li><b>History is bounded</b> by size and by age (by the store's clock), oldest first.</li>
 *   <li><b>Active rooms are the ones worth ticking.</b> A tallied cast and {@link #activate}
 *       add a room; a tick that finds no votes and nobody connected drops it, in the same step
 *       as it reads the counts, so a vote cast meanwhile keeps (or puts back) the room.</li>
 *   <li><b>Rounds.</b> In a room with rounds ({@link #castInRound}), votes count only while a
 *       round is open; opening one clears the votes, closing it answers every user's option
 *       and clears them, atomically, so a vote is revealed in exactly one round.</li>
 *   <li><b>Time comes from the injected clock</b> (history age, the moment a vote was stored),
 *       so tests move a clock instead of sleeping. Redis key TTLs only collect garbage.</li>
 * </ul>
 */
public interface VoteStore {

  /** A user's vote: the option and the client's timestamp for it (epoch millis, or any increasing number). */
  record Ballot(String userId, String option, long ts) {
  }

  enum Outcome {
    /** Stored: the user's current option is this one now. */
    ACCEPTED,
    /** Older than the user's stored vote: nothing changed. */
    STALE,
    /** A room with rounds and none open: nothing stored. */
    NO_ROUND,
    /** The caller named a round that is not the open one: nothing stored. */
    OTHER_ROUND
  }

  /** What a cast did, and the open round (null in a room without rounds, or when none is open). */
  record Cast(Outcome outcome, String round) {
  }

  /**
   * One tally.
   *
   * @param entry {@code {ts, votes: {<option>: n}, connected}}, every option listed, in order
   * @param idle  the room had no votes and nobody connected, and was dropped from the active rooms
   */
  record Tick(JsonObject entry, boolean idle) {
  }

  /** An open planning-poker round: its id (the task) and who has voted in it so far. */
  record Round(String id, List<String> voters) {
  }

  /**
   * Records a vote in a tallied room (one that ticks) and makes the room active. The option is
   * not checked here: the caller validated it. Never {@link Outcome#NO_ROUND}.
   */
  Future<Cast> cast(RoomName room, Ballot ballot);

  /**
   * Records a vote in a room with rounds, if a round is open and, when {@code expectedRound} is
   * not null, it is that one. The room does not become active: its counts are never ticked.
   */
  Future<Cast> castInRound(RoomName room, Ballot ballot, String expectedRound);

  /**
   * Removes the user's vote if it was stored no later than {@code leftAt} (store clock millis);
   * true when a vote was removed. Safe to repeat.
   */
  Future<Boolean> withdraw(RoomName room, String userId, long leftAt);

  /** Makes the room active (someone joined it); idempotent. */
  Future<Void> activate(RoomName room);

  /** The active rooms; O(active rooms). */
  Future<List<RoomName>> activeRooms();

  /**
   * Takes interval {@code interval} of the tally clock (its number: start time / tickMs); true
   * for exactly one caller per interval across all stores sharing the data. A claim is kept for
   * {@code keepMs} at least; an interval older than one already claimed may be refused.
   */
  Future<Boolean> claimInterval(long interval, long keepMs);

  /**
   * Tallies the room at {@code ts} with {@code connected} users in it, appends the tally to its
   * history and answers it; null, changing nothing, when the room already has a tick at
   * {@code ts} or later. Reads one count per option: O(options).
   */
  Future<Tick> tick(RoomName room, long ts, int connected, List<String> options);

  /** The room's ticks after {@code sinceTs} (exclusive; 0 for all), oldest first; empty when none. */
  Future<List<JsonObject>> history(RoomName room, long sinceTs);

  /** Opens round {@code round} in a room with rounds, clearing every vote (a new task to estimate). */
  Future<Void> openRound(RoomName room, String round);

  /**
   * Closes round {@code round} if it is the open one: answers every user's option in it
   * (userId → option, in no particular order) and clears them, opening {@code nextRound} in the
   * same step when it is not null. Null, changing nothing, when {@code round} is not open.
   */
  Future<Map<String, String>> closeRound(RoomName room, String round, String nextRound);

  /** The open round and who voted in it, or null when none is open. */
  Future<Round> round(RoomName room);

  /** Records that the user took part in the room's session; true the first time (since the last {@link #clear}). */
  Future<Boolean> addParticipant(RoomName room, String userId);

  /** Forgets everything about the room: votes, counts, round, participants, history. */
  Future<Void> clear(RoomName room);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
