package io.parley.shared;

import java.util.Set;

/**
 * Every event-bus address Parley uses, in one place; {@code docs/addresses.md} says who may use each.
 *
 * <p>Inbound addresses are the only ones a browser may {@code send} to through the bridge.
 * Internal addresses are for server-side code and the bridge itself; the bridge never
 * forwards a client frame to them.
 */
public final class Addresses {

  /** Prefix of every outbound address: a room {@code board-42} is delivered on {@code room.board-42}. */
  public static final String ROOM_PREFIX = "room.";

  // inbound: permitted from browsers
  public static final String AUTH_AUTHENTICATE = "auth.authenticate";
  public static final String ROOMS_STATE = "rooms.state";
  public static final String ROOMS_PUBLISH = "rooms.publish";
  public static final String ROOMS_HISTORY = "rooms.history";
  public static final String ROOMS_ACTIVITY = "rooms.activity";
  public static final String LOCKS_STATUS = "locks.status";
  public static final String LOCKS_ACQUIRE = "locks.acquire";
  public static final String LOCKS_HEARTBEAT = "locks.heartbeat";
  public static final String LOCKS_KICK = "locks.kick";
  public static final String LOCKS_KICK_ANSWER = "locks.kick.answer";
  public static final String LOCKS_RELEASE = "locks.release";
  public static final String VOTES_CAST = "votes.cast";
  public static final String VOTES_HISTORY = "votes.history";
  public static final String NOTIFICATIONS_SUBSCRIBE = "notifications.subscribe";
  public static final String NOTIFICATIONS_UNSUBSCRIBE = "notifications.unsubscribe";
  public static final String NOTIFICATIONS_SINCE = "notifications.since";

  /** The exact addresses a client may send to; everything else is denied. */
  public static final Set<String> INBOUND = Set.of(
    AUTH_AUTHENTICATE,
    ROOMS_STATE, ROOMS_PUBLISH, ROOMS_HISTORY, ROOMS_ACTIVITY,
    LOCKS_STATUS, LOCKS_ACQUIRE, LOCKS_HEARTBEAT, LOCKS_KICK, LOCKS_KICK_ANSWER, LOCKS_RELEASE,
    VOTES_CAST, VOTES_HISTORY,
    NOTIFICATIONS_SUBSCRIBE, NOTIFICATIONS_UNSUBSCRIBE, NOTIFICATIONS_SINCE);

  /**
   * The exact addresses a <em>service</em> (a connection authenticated with an API key) may send
   * to: the server side's requests. Its frames reach them as server code (no user identity, a
   * {@code service} header). A server-side address a service should reach is added here, and
   * to {@code docs/addresses.md}.
   */
  public static final Set<String> SERVICE_INBOUND = Set.of(
    AUTH_AUTHENTICATE,
    ROOMS_PUBLISH,
    Addresses.NOTIFICATIONS_PUBLISH,
    Addresses.AUTH_REVOKE,
    Addresses.POKER_START, Addresses.POKER_FINALIZE, Addresses.POKER_END);

  /**
   * The exact addresses a service may register to consume for the node: the host hooks it
   * answers ({@code rooms.authorize}, {@code locks.resourceInfo}) and the server events it hears
   * ({@code rooms.joined}, {@code rooms.left}). Besides these, a service may only watch rooms
   * ({@code room.<name>}).
   */
  public static final Set<String> SERVICE_OUTBOUND = Set.of(
    Addresses.ROOMS_AUTHORIZE, Addresses.LOCKS_RESOURCE_INFO, Addresses.ROOMS_JOINED, Addresses.ROOMS_LEFT);

  // internal: server side and bridge only
  /** {@code {userId}}: ends every live session of that user, cluster-wide. */
  public static final String AUTH_REVOKE = "auth.revoke";
  /** Published by the auth verticle after a revoke; every bridge closes that user's sockets. */
  public static final String AUTH_REVOKED = "auth.revoked";
  /** {@code {userId, name, orgs?, boards?, ttlSeconds?}} → {@code {token}}; only when dev tokens are on. */
  public static final String AUTH_DEV_TOKEN = "auth.dev-token";
  /** The bridge reports that a connection joined a room (after the REGISTER was authorized). */
  public static final String ROOMS_JOIN = "rooms.join";
  /**
   * Asked by the bridge for a Pusher cache channel: {@code {room}} → {@code {envelope}}, the
   * room's last server event of the last 30 minutes, or null.
   */
  public static final String ROOMS_LAST_SERVER_EVENT = "rooms.lastServerEvent";
  /** The bridge reports that a connection left a room (UNREGISTER or socket close). */
  public static final String ROOMS_LEAVE = "rooms.leave";
  /** Optional host-application room policy: {@code {room, userId, sessionId, orgs, boards}} → {@code {allowed}}. */
  public static final String ROOMS_AUTHORIZE = "rooms.authorize";
  /**
   * Answered by the host application, asked by the locks verticle: {@code {resource}} →
   * {@code {...display fields}}, shown as a lock status's {@code info}; a reply failed with 404
   * says there is no such resource. Nobody answering within {@code locks.resourceInfoTimeoutMs}
   * leaves {@code info} empty and the lock works as ever.
   */
  public static final String LOCKS_RESOURCE_INFO = "locks.resourceInfo";
  /**
   * Published by the rooms verticle when a user's first connection joined a room:
   * {@code {room, userId, name, at}} ({@code at}: server time, epoch millis). Every consumer on
   * every node hears it, so what a consumer does with it must be safe to do more than once.
   */
  public static final String ROOMS_JOINED = "rooms.joined";
  /**
   * Published when a user's last connection left a room, by UNREGISTER, socket close or the
   * eviction of a dead node: {@code {room, userId, name, at}}. Heard by every consumer on every
   * node, like {@link #ROOMS_JOINED}.
   */
  public static final String ROOMS_LEFT = "rooms.left";

  /**
   * Server side: {@code {topic, data, originSessionId?}} → {@code {id}}. Stores the
   * notification and delivers it to every subscribed session but the origin.
   */
  public static final String NOTIFICATIONS_PUBLISH = "notifications.publish";
  /**
   * Published once per stored notification, heard by every bridge instance in the cluster:
   * {@code {id, topic, data, ts, originSessionId}}; each delivers it to its own subscribed sessions.
   */
  public static final String NOTIFICATIONS_DELIVER = "notifications.deliver";
  /**
   * Published when a session's topics change: {@code {sessionId, topics, version}}; the bridge
   * instance that has the session's tab updates what it delivers to it.
   */
  public static final String NOTIFICATIONS_CHANGED = "notifications.changed";
  /** {@code {sessionId}} → {@code {topics, version}}: what a bridge asks when a session's tab joins its client room. */
  public static final String NOTIFICATIONS_TOPICS = "notifications.topics";

  /** Planning poker, server side: {@code {id, taskId}} opens the estimation of a task (votes cleared). */
  public static final String POKER_START = "poker.start";
  /** {@code {id, taskId, nextTaskId?}}: reveals the task's votes with {@code task-finalized}. */
  public static final String POKER_FINALIZE = "poker.finalize";
  /** {@code {id}}: ends the session ({@code session-ended}); votes, task and members forgotten. */
  public static final String POKER_END = "poker.end";

  /**
   * Local to a node: its lease ran out and the cluster evicted its connections from presence
   * (a pause longer than the lease). Its bridges close every socket so that clients reconnect
   * and join again.
   */
  public static final String NODE_LEASE_LOST = "parley.node.lease-lost";

  /**
   * Local to a node: the room store had lost this node's lease without anyone evicting it (a
   * Redis restarted empty), so its connections may be missing from presence. Its bridges send
   * {@link #ROOMS_JOIN} again for every room each connection is in (a join is idempotent per
   * connection); the sockets stay open.
   */
  public static final String ROOMS_STORE_RESTORED = "parley.rooms.store-restored";

  /**
   * Published cluster-wide by server code (the Pusher HTTP API's
   * {@code POST /apps/<id>/users/<user_id>/terminate_connections}): {@code {app, userId}}, the
   * app's id and the user. Every bridge instance closes the Pusher sockets signed in as that user
   * of that app with 4009 ({@code docs/pusher.md}).
   */
  public static final String PUSHER_TERMINATE = "parley.pusher.terminate";

  /**
   * Local to a node: the Pusher websocket side hands over a webhook only it decides
   * ({@code client_event}, {@code cache_miss}): {@code {app, event: {name, channel, event?, data?,
   * socket_id?, user_id?}}} → {@code {}} once it is queued for delivery (docs/pusher-webhooks.md).
   */
  public static final String PUSHER_WEBHOOK = "parley.pusher.webhook";

  public static String room(String roomName) {
    return ROOM_PREFIX + roomName;
  }

  private Addresses() {
  }
}
