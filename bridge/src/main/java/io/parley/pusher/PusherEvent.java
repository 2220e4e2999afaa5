package io.parley.pusher;

import io.parley.rooms.RoomPublisher;
import io.parley.shared.Failure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One event of {@code POST /events} or of a {@code POST /batch_events} batch, checked
 * ({@code docs/pusher-http-api.md}): every limit is checked before anything is published.
 *
 * @param name     the event name, one Parley rooms can carry
 * @param data     the Pusher {@code data} string as Parley stores it: parsed when it is JSON, else the string
 * @param channels the channels, each once, in the order given
 * @param socketId the Pusher socket that must not receive it, or null
 * @param info     the attributes the reply should give per channel ({@link #ATTRIBUTES})
 */
record PusherEvent(String name, Object data, List<PusherChannel> channels, String socketId, Set<String> info) {

  static final int MAX_DATA_BYTES = 10 * 1024;
  static final int MAX_CHANNELS = 100;
  static final int MAX_BATCH = 10;
  /** Pusher's own bound on an event name; Parley's is shorter (see {@link RoomPublisher#isValidEvent}). */
  static final int PUSHER_MAX_NAME = 200;
  static final String USER_COUNT = "user_count";
  static final String SUBSCRIPTION_COUNT = "subscription_count";
  static final Set<String> ATTRIBUTES = Set.of(USER_COUNT, SUBSCRIPTION_COUNT);

  private static final Pattern SOCKET_ID = Pattern.compile("\\d{1,20}\\.\\d{1,20}");

  /** The body of {@code POST /events}: {@code channels} (at most 100) or {@code channel}. */
  static PusherEvent ofTrigger(JsonObject body) {
    return of(body, "", true);
  }

  /** The body of {@code POST /batch_events}: {@code {batch: [...]}}, at most 10 events, each with one {@code channel}. */
  static List<PusherEvent> ofBatch(JsonObject body) {
    if (!(body.getValue("batch") instanceof JsonArray batch) || batch.isEmpty()) {
      throw Failure.badRequest("batch must be a non-empty array of events");
    }
    if (batch.size() > MAX_BATCH) {
      throw Failure.badRequest("a batch holds at most " + MAX_BATCH + " events, not " + batch.size());
    }
    List<PusherEvent> events = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      if (!(batch.getValue(i) instanceof JsonObject event)) {
        throw Failure.badRequest("batch[" + i + "] must be an event object");
      }
      events.add(of(event, "batch[" + i + "].", false));
    }
    return events;
  }

  private static PusherEvent of(JsonObject body, String where, boolean manyChannels) {
    String name = string(body, "name", where, true);
    checkName(name, where);
    Object data = data(string(body, "data", where, true), where);
    List<PusherChannel> channels = channels(body, where, manyChannels);
    String socketId = string(body, "socket_id", where, false);
    if (socketId != null && !SOCKET_ID.matcher(socketId).matches()) {
      throw Failure.badRequest(where + "socket_id must be a Pusher socket id such as 1234.5678");
    }
    return new PusherEvent(name, data, channels, socketId, info(string(body, "info", where, false), where));
  }

  private static void checkName(String name, String where) {
    if (name.length() > PUSHER_MAX_NAME) {
      throw Failure.badRequest(where + "name is over " + PUSHER_MAX_NAME + " characters");
    }
    if (name.startsWith("pusher:") || name.startsWith("pusher_internal:")) {
      throw Failure.badRequest(where + "name '" + name + "': events starting with pusher: and pusher_internal: are the protocol's own");
    }
    if (!RoomPublisher.isValidEvent(name)) {
      throw Failure.badRequest(where + "name '" + name + "' is not an event name Parley carries: "
        + "event names must match [A-Za-z0-9_.:-]{1,64} (see docs/pusher-http-api.md)");
    }
  }

  /** The agreed mapping: JSON text is stored as the value it encodes, anything else as the string itself. */
  private static Object data(String data, String where) {
    if (data.getBytes(StandardCharsets.UTF_8).length > MAX_DATA_BYTES) {
      throw Failure.of(Failure.TOO_LARGE, where + "data is over " + MAX_DATA_BYTES + " bytes (10 KB)");
    }
    try {
      return Json.decodeValue(data);
    } catch (DecodeException notJson) {
      return data;
    }
  }

  private static List<PusherChannel> channels(JsonObject body, String where, boolean manyChannels) {
    List<String> names = new ArrayList<>();
    Object many = body.getValue("channels");
    Object one = body.getValue("channel");
    if (manyChannels && many != null) {
      if (one != null) {
        throw Failure.badRequest(where + "give channels or channel, not both");
      }
      if (!(many instanceof JsonArray array) || array.isEmpty()) {
        throw Failure.badRequest(where + "channels must be a non-empty array of channel names");
      }
      if (array.size() > MAX_CHANNELS) {
        throw Failure.badRequest(where + "an event goes to at most " + MAX_CHANNELS + " channels, not " + array.size());
      }
      for (Object channel : array) {
        if (!(channel instanceof String s)) {
          throw Failure.badRequest(where + "channels must hold channel names (strings)");
        }
        names.add(s);
      }
    } else {
      names.add(string(body, "channel", where, true));
    }
    List<PusherChannel> channels = new ArrayList<>(names.size());
    for (String name : new LinkedHashSet<>(names)) {
      channels.add(PusherChannel.parse(name).orElseThrow(() -> Failure.badRequest(where + "channel '" + name
        + "' is not a channel Parley carries: [A-Za-z0-9_.-] after its prefix, the room at most 128 characters")));
    }
    return channels;
  }

  /** {@code info} of a trigger: a comma-separated list of {@link #ATTRIBUTES}. */
  static Set<String> info(String info, String where) {
    Set<String> attributes = new LinkedHashSet<>();
    if (info == null || info.isEmpty()) {
      return attributes;
    }
    for (String attribute : info.split(",")) {
      if (!ATTRIBUTES.contains(attribute.trim())) {
        throw Failure.badRequest(where + "info may list " + String.join(" and ", ATTRIBUTES.stream().sorted().toList())
          + ", not '" + attribute + "'");
      }
      attributes.add(attribute.trim());
    }
    return attributes;
  }

  private static String string(JsonObject body, String field, String where, boolean required) {
    Object value = body.getValue(field);
    if (value == null) {
      if (required) {
        throw Failure.badRequest(where + field + " is required");
      }
      return null;
    }
    if (!(value instanceof String s)) {
      throw Failure.badRequest(where + field + " must be a string");
    }
    return s;
  }
}
