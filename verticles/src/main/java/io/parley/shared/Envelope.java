package io.parley.shared;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The one shape delivered on {@code room.<name>} ({@code docs/protocol.md}, the envelope).
 *
 * @param destination the room the event was published to (for an alias delivery, the child room)
 * @param event       {@code <family>.<verb>}
 * @param data        any JSON value
 * @param ts          server time of the publish, epoch millis
 * @param epoch       the identity of the room's history stream; {@code null} for presence
 * @param offset      position in the room's stream, one more per publish; {@code null} for presence
 * @param from        the publishing client, or {@code null} for server events
 */
public record Envelope(String destination, String event, Object data, long ts,
                       String epoch, Long offset, From from) {

  /** The client a publish came from. */
  public record From(String userId, String sessionId) {
    public JsonObject toJson() {
      return new JsonObject().put("userId", userId).put("sessionId", sessionId);
    }
  }

  /** A presence event: no offset, no epoch, never kept in history. */
  public static Envelope presence(String room, String event, String userId, String name, long ts) {
    return presence(room, event, userId, name, null, ts);
  }

  /** A presence event with the member's info ({@code presence.join} of a member who has some). */
  public static Envelope presence(String room, String event, String userId, String name, JsonObject info, long ts) {
    JsonObject data = new JsonObject().put("userId", userId).put("name", name);
    return new Envelope(room, event, info == null ? data : data.put("info", info), ts, null, null, null);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("destination", destination)
      .put("event", event)
      .put("data", data)
      .put("ts", ts);
    if (epoch != null) {
      json.put("epoch", epoch);
    }
    if (offset != null) {
      json.put("offset", offset);
    }
    if (from != null) {
      json.put("from", from.toJson());
    }
    return json;
  }

  public static Envelope fromJson(JsonObject json) {
    JsonObject from = json.getJsonObject("from");
    return new Envelope(
      json.getString("destination"),
      json.getString("event"),
      json.getValue("data"),
      json.getLong("ts"),
      json.getString("epoch"),
      json.getLong("offset"),
      from == null ? null : new From(from.getString("userId"), from.getString("sessionId")));
  }

  /** Encoded once per publish; the bridge wraps these bytes for every local member socket. */
  public Buffer encode() {
    return toJson().toBuffer();
  }
}
