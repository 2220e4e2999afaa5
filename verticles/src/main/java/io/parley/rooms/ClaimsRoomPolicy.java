package io.parley.rooms;

import io.vertx.core.Future;
import io.parley.auth.Principal;
import io.parley.shared.RoomName;

import java.util.List;

/** The default {@link RoomPolicy}: decided from the token's claims alone, without I/O. */
final class ClaimsRoomPolicy implements RoomPolicy {

  /** Rooms any authenticated user may join unless a host policy says otherwise. */
  private static final List<String> OPEN_PREFIXES = List.of("votes-", "planning-poker-", "lock-");

  @Override
  public Future<Boolean> mayJoin(Principal principal, RoomName room) {
    return Future.succeededFuture(decide(principal, room));
  }

  static boolean decide(Principal principal, RoomName room) {
    Boolean identity = RoomPolicy.identityRoom(principal, room);
    if (identity != null) {
      return identity;
    }
    if (OPEN_PREFIXES.stream().anyMatch(p -> room.suffixAfter(p).isPresent())) {
      return true;
    }
    if (room.suffixAfter("org-").map(principal.orgs()::contains).orElse(false)) {
      return true;
    }
    if (room.suffixAfter("board-").isPresent()) {
      // board-7-tasks belongs to board 7; a board literally named "7-tasks" is allowed by that claim too
      String board = room.aliasOf().orElse(room).value().substring("board-".length());
      return principal.boards().contains(board) || principal.boards().contains(room.value().substring("board-".length()));
    }
    return false;
  }
}
