package io.parley.rooms;

import io.vertx.core.json.JsonObject;

/**
 * One connection of a user in a room, as the bridge reports it on join.
 *
 * @param nodeId the node whose bridge holds the connection: if that node dies, its
 *               connections leave their rooms ({@link RoomStore#evictExpiredNodes})
 * @param info   what the member shows of themselves beside their name (a Pusher presence
 *               member's {@code user_info}), or null; the user's first connection in the room
 *               sets it for as long as they stay
 */
public record Member(String userId, String name, String sessionId, String connectionId, String nodeId, JsonObject info) {

  /** A member without info: a bridge client. */
  public Member(String userId, String name, String sessionId, String connectionId, String nodeId) {
    this(userId, name, sessionId, connectionId, nodeId, null);
  }
}
