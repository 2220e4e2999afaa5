package io.parley.rooms;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A room's position in its stream and who is in it ({@code rooms.state}).
 *
 * @param offset                 offset of the last envelope, 0 before the first
 * @param lastBroadcastTimestamp ts of the last envelope, 0 before the first
 */
public record RoomState(String room, String epoch, long offset, long lastBroadcastTimestamp, List<Presence> members) {

  /**
   * A user in the room: how many connections they have in it, whether any is active, and the
   * info their first connection gave ({@link Member#info}), or null.
   */
  public record Presence(String userId, String name, int connections, boolean active, JsonObject info) {

    public Presence(String userId, String name, int connections, boolean active) {
      this(userId, name, connections, active, null);
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject().put("userId", userId).put("name", name)
        .put("connections", connections).put("active", active);
      return info == null ? json : json.put("info", info);
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("room", room)
      .put("epoch", epoch)
      .put("offset", offset)
      .put("lastBroadcastTimestamp", lastBroadcastTimestamp)
      .put("members", new JsonArray(members.stream().map(Presence::toJson).toList()));
  }
}
