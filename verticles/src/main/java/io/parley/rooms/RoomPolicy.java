package io.parley.rooms;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.parley.auth.Principal;
import io.parley.shared.RoomName;

/**
 * Who may join (and so publish to, read the state and history of) which room ({@code docs/features.md}).
 *
 * <p>The identity rooms are fixed and no policy can open them to others: {@code user-<id>}
 * to that user, {@code client-<sessionId>} to that tab, {@code chat-<a>-<b>} to a and b.
 * Every other room is decided by the configured policy: JWT claims by default, or the host
 * application answering on {@code rooms.authorize}.
 */
public interface RoomPolicy {

  Future<Boolean> mayJoin(Principal principal, RoomName room);

  /** The default: {@code orgs} and {@code boards} claims; votes, poker and lock rooms open to all. */
  static RoomPolicy fromClaims() {
    return new ClaimsRoomPolicy();
  }

  /** Identity rooms as always; everything else asked of the handler on {@code rooms.authorize}. */
  static RoomPolicy askingBus(Vertx vertx, long timeoutMs) {
    return new BusRoomPolicy(vertx, timeoutMs);
  }

  static RoomPolicy fromOptions(Vertx vertx, RoomsOptions options) {
    return RoomsOptions.POLICY_BUS.equals(options.policy())
      ? askingBus(vertx, options.authorizeTimeoutMs())
      : fromClaims();
  }

  /**
   * The fixed answer for identity rooms, or null when the room is not one of them.
   */
  static Boolean identityRoom(Principal principal, RoomName room) {
    String name = room.value();
    if (name.startsWith("user-")) {
      return name.equals("user-" + principal.userId());
    }
    if (name.startsWith("client-")) {
      return name.equals("client-" + principal.sessionId());
    }
    if (name.startsWith("chat-")) {
      return ChatRoom.isMember(name, principal.userId());
    }
    return null;
  }

  /**
   * {@code chat-<a>-<b>}, the smaller id first. User ids may contain '-', which would make a
   * name stand for several pairs ({@code chat-al-ice-bob}: al-ice and bob, or al and ice-bob).
   * So inside an id each '-' is written twice ({@code chat-al--ice-bob}); the single '-' is
   * the separator. User ids neither start nor end with '-' ({@code TokenVerifier}), which makes
   * the split unique. Ids without '-' give exactly {@code chat-<a>-<b>}.
   */
  final class ChatRoom {
    private static final String PREFIX = "chat-";

    static boolean isMember(String name, String userId) {
      String[] pair = parse(name);
      return pair != null && (pair[0].equals(userId) || pair[1].equals(userId));
    }

    /** The room two users share. */
    public static String nameOf(String userA, String userB) {
      String first = userA.compareTo(userB) < 0 ? userA : userB;
      String second = first.equals(userA) ? userB : userA;
      return PREFIX + first.replace("-", "--") + "-" + second.replace("-", "--");
    }

    /** The two ids of a well-formed chat room name (ordered, distinct), or null. */
    static String[] parse(String name) {
      if (!name.startsWith(PREFIX)) {
        return null;
      }
      String rest = name.substring(PREFIX.length());
      StringBuilder current = new StringBuilder();
      String first = null;
      for (int i = 0; i < rest.length(); i++) {
        char c = rest.charAt(i);
        if (c != '-') {
          current.append(c);
        } else if (i + 1 < rest.length() && rest.charAt(i + 1) == '-') {
          current.append('-');
          i++;
        } else if (first == null) {
          first = current.toString();
          current.setLength(0);
        } else {
          return null;
        }
      }
      String second = current.toString();
      if (first == null || !validId(first) || !validId(second) || first.compareTo(second) >= 0) {
        return null;
      }
      return new String[]{first, second};
    }

    private static boolean validId(String id) {
      return !id.isEmpty() && !id.startsWith("-") && !id.endsWith("-");
    }

    private ChatRoom() {
    }
  }
}
