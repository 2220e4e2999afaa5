package io.parley.rooms;

/**
 * One connection of a user in a room, as the bridge reports it on join.
 *
 * @param nodeId the node whose bridge holds the connection: if that node dies, its
 *               connections leave their rooms ({@link RoomStore#evictExpiredNodes})
 */
public record Member(String userId, String name, String sessionId, String connectionId, String nodeId) {
}
