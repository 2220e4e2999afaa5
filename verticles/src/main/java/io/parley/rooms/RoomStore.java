package io.parley.rooms;

import io.vertx.core.Future;
import io.parley.shared.Envelope;
import io.parley.shared.RoomName;

import java.util.List;

/**
 * Room streams (offset, epoch, bounded history), presence (who is in each room), and the
 * fan-out of both to every node: the store is the broker, as in Centrifuge.
 *
 * <p>Contract, checked by {@code RoomStoreContract} against every implementation:
 * <ul>
 *   <li><b>Publish is atomic per room.</b> {@link #publish} assigns the next offset (one more
 *       than the last, starting at 1), stamps the time, appends to history and hands the
 *       envelope to delivery as one step: the delivery sink sees a room's envelopes in
 *       offset order with no gaps, even when publishes race from several threads or nodes.
 *       Without this a subscriber could see offset 7 before 6 and wrongly decide it missed
 *       something.</li>
 *   <li><b>The epoch names one continuous stream.</b> It changes whenever a room's history is
 *       lost (the room was dropped and created again, the store restarted), so a client's
 *       {@code (epoch, offset)} never silently points into a different stream.</li>
 *   <li><b>Catch-up is all or nothing.</b> {@link #history} answers every envelope after the
 *       given offset, or {@code recovered: false} with none, never part of the gap.</li>
 *   <li><b>Every node hears everything, in order.</b> The delivery sink given to the store gets
 *       every published envelope and every {@link #announce announcement}, on every node that
 *       shares the store, in the order the store accepted them, each once. A node that loses
 *       its connection to a shared store misses what was published meanwhile; its clients
 *       recover it through {@link #history}, which is what offsets and epochs are for.</li>
 *   <li><b>Presence counts connections.</b> {@link #join} reports the user's first connection in
 *       the room, {@link #leave} their last; each exactly once however connections interleave.
 *       Likewise for the room: a join reports that it made the room occupied (its first member),
 *       a leave or an eviction that it left the room vacated (its last), decided in the same
 *       atomic step, so two joins racing on two nodes never both report it.
 *       A room with no members drops its live state; its history follows the
 *       {@link RoomsOptions.HistoryPolicy}.</li>
 * </ul>
 */
public interface RoomStore {

  /** What a publish carries before the store stamps it. {@code from} is null for server events. */
  record Draft(String event, Object data, Envelope.From from) {
  }

  /**
   * What a join decided.
   *
   * @param first    the user's first connection in the room
   * @param occupied the room's first member: it had none before (implies {@code first})
   */
  record Joined(boolean first, boolean occupied) {
  }

  /**
   * What a user's last connection leaving a room decided.
   *
   * @param member  who left: userId, name, the connection and its channel; sessionId and nodeId are
   *                not kept and are null
   * @param vacated the room has no member left
   */
  record Left(Member member, boolean vacated) {
  }

  /** Adds a connection to a room; says whether it is the user's first connection there and the room's first member. */
  Future<Joined> join(RoomName room, Member member);

  /** Removes a connection; what it decided when it was the user's last connection there, else null. */
  Future<Left> leave(RoomName room, String connectionId);

  /** Marks every room presence of a connection active or not (the tab reports it). */
  Future<Void> setActive(String connectionId, boolean active);

  /** Stamps, stores and delivers one envelope; see the class contract. */
  Future<Envelope> publish(RoomName room, Draft draft);

  /**
   * How long {@link #lastServerEvent} remembers a room's last server event: Pusher's cache
   * channels keep theirs for 30 minutes.
   */
  long LAST_SERVER_EVENT_MS = 30 * 60 * 1000L;

  /**
   * Whether a publish from {@code from} is server code's: no sender at all, or a sender with no
   * user (a Pusher API trigger that names only the socket to skip, {@code docs/pusher-http-api.md}).
   */
  static boolean isServerEvent(Envelope.From from) {
    return from == null || from.userId() == null;
  }

  /**
   * The room's last envelope published by server code ({@link #isServerEvent}), when it was
   * published at most {@link #LAST_SERVER_EVENT_MS} ago by the store's clock; else null. Kept
   * apart from the history, whatever its policy, and whether or not the room has members.
   */
  Future<Envelope> lastServerEvent(RoomName room);

  /** Hands a presence envelope (no offset, not stored) to delivery on every node. */
  Future<Void> announce(Envelope presence);

  /**
   * Keeps this node's connections alive for {@code leaseMs}; a node renews well before that.
   * Answers what the store held for the node before this renewal (see {@link Lease}).
   */
  Future<Lease> renewLease(String nodeId, long leaseMs);

  /** What a {@link #renewLease renewal} found; the node holds a fresh lease after each. */
  enum Lease {
    /** The node still held its lease. */
    HELD,
    /**
     * The node held no lease and was never evicted: it is starting, or the store lost its data
     * (a Redis restarted without persistence). The node's connections may be missing from
     * presence and should join their rooms again.
     */
    NEW,
    /**
     * Another node declared this one dead (its lease ran out: a pause longer than the lease)
     * and removed its connections from presence; its sockets should reconnect.
     */
    EVICTED
  }

  /**
   * Removes every connection of nodes whose lease ran out, as {@link #leave} would, and answers
   * the users who thereby left a room. Each dead node is evicted once, whichever nodes ask.
   */
  Future<List<Departure>> evictExpiredNodes();

  /** A user whose last connection to a room went with a dead node; {@code vacated}: no member is left in the room. */
  record Departure(RoomName room, Member member, boolean vacated) {
  }

  /** How many users (not connections) are in the room now; cheap, whatever the room's size. */
  Future<Integer> memberCount(RoomName room);

  /** Whether the user has at least one connection in the room now; O(1), whatever the room's size. */
  Future<Boolean> hasMember(RoomName room, String userId);

  /** A room that has members now, and how many users (not connections) are in it. */
  record Occupied(RoomName room, int users) {
  }

  /**
   * The rooms that have at least one member now and whose names start with {@code prefix}
   * ({@code ""}: every room), in name order, at most {@code limit} of them: bounded by the limit
   * and the prefix, whatever the number of rooms, and exact for every node sharing the store.
   */
  Future<List<Occupied>> occupiedRooms(String prefix, int limit);

  /** The room's stream position and members, or null when it has neither members nor history. */
  Future<RoomState> state(RoomName room);

  /**
   * Envelopes after {@code sinceOffset} (exclusive) of stream {@code epoch}. A null epoch means
   * "the current stream", which with {@code sinceOffset} 0 asks for it from its start.
   */
  Future<HistoryPage> history(RoomName room, String epoch, long sinceOffset);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
