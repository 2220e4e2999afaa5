package io.parley.pusher;

import io.parley.shared.RoomName;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Pusher channel name and the Parley room it is ({@code docs/pusher.md}): {@code private-<room>},
 * {@code presence-<room>} and {@code private-encrypted-<room>} are the room {@code <room>}, as is
 * a public channel {@code <room>}; {@code cache-} may follow the prefix ({@code private-cache-<room>}
 * is the room {@code <room>} too, and keeps its last event); {@code #server-to-user-<id>} is the
 * user's room {@code user-<id>}. Only names in both Pusher's channel charset and Parley's room
 * charset are rooms: {@code [A-Za-z0-9_.-]}, at most {@link RoomName#MAX_LENGTH} after the prefix.
 *
 * @param name  the channel name as the client gave it
 * @param kind  what the prefix makes it
 * @param cache whether it is a cache channel
 * @param room  the room it is
 */
public record PusherChannel(String name, Kind kind, boolean cache, RoomName room) {

  /** What a channel's prefix makes it: who may subscribe, and how. */
  public enum Kind {
    /** No signature; reaches only rooms named by {@code pusher.publicRoomPrefixes}. */
    PUBLIC(""),
    /** Signed {@code socket_id:channel}. */
    PRIVATE("private-"),
    /** Signed like a private channel; the data is encrypted end to end by the SDKs, Parley carries it as it is. */
    PRIVATE_ENCRYPTED("private-encrypted-"),
    /** Signed {@code socket_id:channel:channel_data}; a member with {@code user_id} and {@code user_info}. */
    PRESENCE("presence-"),
    /** {@code #server-to-user-<id>}: only the socket signed in as that user. */
    SERVER_TO_USER("#server-to-user-");

    public final String prefix;

    Kind(String prefix) {
      this.prefix = prefix;
    }

    /** Whether a subscriber needs the app's signature. */
    public boolean signed() {
      return this == PRIVATE || this == PRIVATE_ENCRYPTED || this == PRESENCE;
    }
  }

  /** Pusher's own channel charset, checked before the name is mapped to a room. */
  private static final Pattern PUSHER_CHARSET = Pattern.compile("[A-Za-z0-9_\\-=@,.;#]{1,200}");
  private static final Pattern ROOM_PART = Pattern.compile("[A-Za-z0-9_.-]{1," + RoomName.MAX_LENGTH + "}");
  private static final String CACHE = "cache-";
  private static final String USER_ROOM = "user-";

  /** The channel {@code name} is, or empty when it is not a valid Pusher channel that is also a Parley room. */
  public static Optional<PusherChannel> parse(String name) {
    if (name == null || !PUSHER_CHARSET.matcher(name).matches()) {
      return Optional.empty();
    }
    Kind kind = kindOf(name);
    String rest = name.substring(kind.prefix.length());
    if (kind == Kind.SERVER_TO_USER) {
      String room = USER_ROOM + rest;
      return ROOM_PART.matcher(rest).matches() && RoomName.isValid(room)
        ? Optional.of(new PusherChannel(name, kind, false, RoomName.of(room)))
        : Optional.empty();
    }
    boolean cache = rest.startsWith(CACHE) && rest.length() > CACHE.length();
    String room = cache ? rest.substring(CACHE.length()) : rest;
    return ROOM_PART.matcher(room).matches() ? Optional.of(new PusherChannel(name, kind, cache, RoomName.of(room))) : Optional.empty();
  }

  /** The kind a name's prefix makes it (a name with none is public). */
  static Kind kindOf(String name) {
    // the longest prefix first: private-encrypted- also starts with private-
    for (Kind kind : new Kind[] {Kind.PRIVATE_ENCRYPTED, Kind.PRIVATE, Kind.PRESENCE, Kind.SERVER_TO_USER}) {
      if (name.startsWith(kind.prefix)) {
        return kind;
      }
    }
    return Kind.PUBLIC;
  }

  /** The channel name under which {@code room} reaches a subscriber of {@code kind} (not for {@link Kind#SERVER_TO_USER}). */
  public static String nameOf(Kind kind, boolean cache, RoomName room) {
    return kind.prefix + (cache ? CACHE : "") + room.value();
  }

  public boolean isPresence() {
    return kind == Kind.PRESENCE;
  }

  /** Client events are allowed only on private and presence channels (not encrypted ones: the server cannot read them anyway, but Pusher allows them there too). */
  public boolean allowsClientEvents() {
    return kind.signed();
  }
}
