package io.parley.rooms;

import io.vertx.core.json.JsonObject;

/**
 * One connection of a user in a room, as the bridge reports it on join.
 *
 * @param nodeId  the node whose bridge holds the connection: if that node dies, its
 *                connections leave their rooms ({@link RoomStore#evictExpiredNodes})
 * @param info    what the member shows of themselves beside their name (a Pusher presence
 *                member's {@code user_info}), or null; the user's first connection in the room
 *                sets it for as long as they stay
 * @param channel the Pusher channel name the connection subscribed with (the room is reachable as
 *                several), kept with the connection and answered again when it leaves; null for
 *                a bridge connection (docs/pusher-webhooks.md)
 */
public record Member(String userId, String name, String sessionId, String connectionId, String nodeId, JsonObject info,
                     String channel) {

  /**
   * The user id prefix of a connection without a user: a Pusher socket on a public or private
   * channel that has not signed in is a member as {@code pusher:<socket_id>} ({@code docs/pusher.md}).
   * It counts as a connection in the room, but it is no one: its joins and leaves are not
   * announced, features do not see it as a player or voter, and it is not a presence member.
   */
  public static final String ANONYMOUS_PREFIX = "pusher:";

  /** Whether {@code userId} is a connection without a user ({@link #ANONYMOUS_PREFIX}). */
  public static boolean isAnonymous(String userId) {
    return userId != null && userId.startsWith(ANONYMOUS_PREFIX);
  }

  /** A member without info or channel: a bridge client. */
  public Member(String userId, String name, String sessionId, String connectionId, String nodeId) {
    this(userId, name, sessionId, connectionId, nodeId, null, null);
  }
}
