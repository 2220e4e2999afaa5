package io.parley.pusher;

import io.parley.shared.Envelope;
import io.parley.shared.EventNames;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The messages Parley writes on a Pusher socket ({@code docs/pusher.md}): JSON text
 * {@code {event, channel?, data, user_id?}} whose {@code data} is itself a JSON-encoded string,
 * as the Pusher protocol has it; and the one mapping between Pusher's data and an envelope's.
 */
public final class PusherFrames {

  /** Inside {@code pusher:error}, the socket stays open: a message Parley could not read or does not serve. */
  public static final int MALFORMED = 4300;
  /** Inside {@code pusher:error}: over a rate (client events, or the bridge's frame rate). */
  public static final int OVER_RATE = 4301;
  /** Inside {@code pusher:error}: a client event that is not allowed where it was sent. */
  public static final int CLIENT_EVENT_REFUSED = 4302;
  /** Inside {@code pusher:error}: a public channel whose room is not open to public channels. */
  public static final int CHANNEL_NOT_OPEN = 4303;

  /** A member's user_info is at most this many bytes, encoded. */
  public static final int MAX_USER_INFO_BYTES = 1024;
  /** A user id is at most this many characters. */
  public static final int MAX_USER_ID_LENGTH = 128;

  private PusherFrames() {
  }

  /** {@code pusher:connection_established}: the socket's id and how long the client may stay silent (seconds). */
  public static String connectionEstablished(String socketId, long activityTimeoutSeconds) {
    return message("pusher:connection_established", null,
      new JsonObject().put("socket_id", socketId).put("activity_timeout", activityTimeoutSeconds).encode(), null);
  }

  /** {@code pusher:error} with a code (null for none) and, when it concerns one, the channel. */
  public static String error(Integer code, String text, String channel) {
    return message("pusher:error", channel, new JsonObject().put("code", code).put("message", text).encode(), null);
  }

  public static String ping() {
    return message("pusher:ping", null, "{}", null);
  }

  public static String pong() {
    return message("pusher:pong", null, "{}", null);
  }

  /** {@code pusher_internal:subscription_succeeded}; {@code presence} is null except on a presence channel. */
  public static String subscriptionSucceeded(String channel, JsonObject presence) {
    JsonObject data = presence == null ? new JsonObject() : new JsonObject().put("presence", presence);
    return message("pusher_internal:subscription_succeeded", channel, data.encode(), null);
  }

  /**
   * {@code pusher:subscription_error} on the channel, which pusher-js hands to the channel's
   * {@code pusher:subscription_error} listeners as it is: {@code {type, error, status}}, the shape
   * of pusher-js's own errors when its authorizer fails.
   */
  public static String subscriptionError(String channel, String type, String error, int status) {
    return message("pusher:subscription_error", channel,
      new JsonObject().put("type", type).put("error", error).put("status", status).encode(), null);
  }

  /** {@code pusher:signin_success}: the user data as the client sent it (a JSON string). */
  public static String signinSuccess(String userData) {
    return message("pusher:signin_success", null, new JsonObject().put("user_data", userData).encode(), null);
  }

  /** {@code pusher:cache_miss} on a cache channel that has no event to give. */
  public static String cacheMiss(String channel) {
    return message("pusher:cache_miss", channel, "{}", null);
  }

  /** {@code presence} of subscription_succeeded: {@code {ids, hash, count}} of the room's members. */
  public static JsonObject presence(List<Member> members) {
    JsonArray ids = new JsonArray();
    JsonObject hash = new JsonObject();
    for (Member member : members) {
      ids.add(member.userId());
      hash.put(member.userId(), member.userInfo());
    }
    return new JsonObject().put("ids", ids).put("hash", hash).put("count", members.size());
  }

  /** A member as Pusher shows it: a Parley member without user_info is {@code {name}}. */
  public record Member(String userId, JsonObject userInfo) {
    public static Member of(String userId, String name, JsonObject info) {
      return new Member(userId, info != null ? info : new JsonObject().put("name", name));
    }
  }

  /**
   * A room's envelope as subscribers of {@code channel} see it, or null when it is nothing to
   * them. A published envelope is {@code {event, channel, data}}, with {@code user_id} (its
   * sender) on a presence channel when a client sent it; a user's first join and last leave are
   * {@code pusher_internal:member_added} and {@code member_removed}, on presence channels only.
   */
  public static String delivery(Envelope envelope, PusherChannel channel) {
    if (envelope.offset() == null) {
      if (!channel.isPresence() || !(envelope.data() instanceof JsonObject member)) {
        return null;
      }
      String userId = member.getString("userId");
      if (EventNames.PRESENCE_JOIN.equals(envelope.event())) {
        JsonObject info = member.getValue("info") instanceof JsonObject object ? object : null;
        return message("pusher_internal:member_added", channel.name(), new JsonObject().put("user_id", userId)
          .put("user_info", Member.of(userId, member.getString("name"), info).userInfo()).encode(), null);
      }
      if (EventNames.PRESENCE_LEAVE.equals(envelope.event())) {
        return message("pusher_internal:member_removed", channel.name(), new JsonObject().put("user_id", userId).encode(), null);
      }
      return null;
    }
    String sender = channel.isPresence() && envelope.from() != null ? envelope.from().userId() : null;
    return message(envelope.event(), channel.name(), Json.encode(envelope.data()), sender);
  }

  /**
   * What a Pusher client's {@code data} is in an envelope: a string that is valid JSON is that
   * JSON, any other string stays a string, and data sent as JSON (pusher-js sends objects as
   * they are) is kept as it is.
   */
  public static Object dataOf(Object data) {
    if (!(data instanceof String text)) {
      return data;
    }
    try {
      Object value = Json.decodeValue(text);
      return value == null && !text.strip().equals("null") ? text : value;
    } catch (DecodeException e) {
      return text;
    }
  }

  private static String message(String event, String channel, String data, String userId) {
    JsonObject message = new JsonObject().put("event", event);
    if (channel != null) {
      message.put("channel", channel);
    }
    message.put("data", data);
    if (userId != null) {
      message.put("user_id", userId);
    }
    return message.encode();
  }
}
