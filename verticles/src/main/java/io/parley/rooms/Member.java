package io.parley.rooms;

/**
 * One connection of a user in a room, as the bridge reports it on join.
 *
 * @param nodeId  the node whose bridge holds the connection: if that node dies, its
 *                connections leave their rooms ({@link RoomStore#evictExpiredNodes})
 * @param channel the Pusher channel name the connection subscribed with (the room is reachable as
 *                several), kept with the connection and answered again when it leaves; null for
 *                a bridge connection (docs/pusher-webhooks.md)
 */
public record Member(String userId, String name, String sessionId, String connectionId, String nodeId, String channel) {
}
