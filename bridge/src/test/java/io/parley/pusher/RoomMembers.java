package io.parley.pusher;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Members of board rooms for the Pusher API's tests: bridge clients, which are room members as
 * Pusher sockets are, and what is published to their rooms.
 */
final class RoomMembers {

  private RoomMembers() {
  }

  /** A bridge client of {@code userId} on {@code node} that joined {@code room}, a {@code board-<id>} room (its token carries the board). */
  static BridgeClient member(TestNode node, String userId, String room) {
    BridgeClient client = node.signIn(userId, TestNode.boards(room.substring("board-".length())));
    client.join(room);
    return client;
  }

  /** The next envelope published to the room (presence announcements, which have no offset, skipped). */
  static JsonObject nextPublished(BridgeClient client, String room) {
    while (true) {
      JsonObject envelope = client.nextEnvelope("room." + room);
      if (envelope.containsKey("offset")) {
        return envelope;
      }
    }
  }

  /** Envelopes published to the room until one with {@code event}, that one last. */
  static List<JsonObject> publishedUntil(BridgeClient client, String room, String event) {
    List<JsonObject> seen = new ArrayList<>();
    while (seen.isEmpty() || !event.equals(seen.get(seen.size() - 1).getString("event"))) {
      seen.add(nextPublished(client, room));
    }
    return seen;
  }
}
