package io.parley.pusher;

import io.parley.rooms.RoomStore;
import io.parley.shared.Failure;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * {@code GET /channels}: the occupied channels whose names start with {@code filter_by_prefix}
 * ({@code docs/pusher-http-api.md}). Parley keeps rooms, not the channel names clients used to
 * reach them, and one room is reachable under several names; so each occupied room is listed once,
 * under the name the filter asks for: {@code presence-} lists {@code presence-<room>},
 * {@code private-} lists {@code private-<room>}, and so on; a filter without a Pusher prefix
 * (or none) lists rooms under their own names, as public channels. {@code #server-to-user-}
 * channels are not listed.
 */
final class ChannelListing {

  /** The most channels one answer lists; more matching rooms is a 413 asking for a narrower prefix. */
  static final int MAX_LISTED = 10_000;

  private final RoomStore store;

  ChannelListing(RoomStore store) {
    this.store = store;
  }

  /** {@code {channels: {<name>: {user_count?}}}}; {@code user_count} only when asked, and only for a presence filter. */
  Future<JsonObject> list(String filter, String info) {
    String prefix = filter == null ? "" : filter;
    boolean userCount;
    Filter parsed;
    try {
      userCount = userCountAsked(prefix, info);
      parsed = Filter.of(prefix);
    } catch (RuntimeException badRequest) {
      return Future.failedFuture(badRequest);
    }
    if (parsed.kind() == PusherChannel.Kind.SERVER_TO_USER) {
      return Future.succeededFuture(new JsonObject().put("channels", new JsonObject()));
    }
    return store.occupiedRooms(parsed.roomPrefix(), MAX_LISTED + 1).compose(rooms -> {
      if (rooms.size() > MAX_LISTED) {
        return Future.failedFuture(Failure.of(Failure.TOO_LARGE, "more than " + MAX_LISTED
          + " occupied channels match; narrow them with filter_by_prefix"));
      }
      JsonObject channels = new JsonObject();
      for (RoomStore.Occupied room : rooms) {
        parsed.channelOf(room.room()).ifPresent(channel -> channels.put(channel.name(),
          userCount ? new JsonObject().put(PusherEvent.USER_COUNT, room.users()) : new JsonObject()));
      }
      return Future.succeededFuture(new JsonObject().put("channels", channels));
    });
  }

  private static boolean userCountAsked(String prefix, String info) {
    boolean asked = false;
    for (String attribute : info == null || info.isEmpty() ? new String[0] : info.split(",")) {
      if (!PusherEvent.USER_COUNT.equals(attribute.trim())) {
        throw Failure.badRequest("info may list only user_count for GET /channels, not '" + attribute + "'");
      }
      asked = true;
    }
    if (asked && !prefix.startsWith(PusherChannel.Kind.PRESENCE.prefix)) {
      throw Failure.badRequest("user_count is only available when filter_by_prefix starts with presence-");
    }
    return asked;
  }

  /** A filter read as a channel kind (and cache marker) and a prefix of room names. */
  private record Filter(PusherChannel.Kind kind, boolean cache, String roomPrefix) {
    private static final String CACHE = "cache-";

    static Filter of(String prefix) {
      PusherChannel.Kind kind = PusherChannel.kindOf(prefix);
      String rest = prefix.substring(kind.prefix.length());
      boolean cache = rest.startsWith(CACHE);
      return new Filter(kind, cache, cache ? rest.substring(CACHE.length()) : rest);
    }

    /** The room's channel under this filter, when that name is one Pusher clients can use and means this room. */
    Optional<PusherChannel> channelOf(RoomName room) {
      return PusherChannel.parse(PusherChannel.nameOf(kind, cache, room))
        .filter(channel -> channel.kind() == kind && channel.room().equals(room));
    }
  }
}
