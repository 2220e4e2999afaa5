package io.parley.pusher;

import io.parley.rooms.Member;
import io.parley.rooms.RoomState;
import io.parley.rooms.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * A channel's {@code occupied}, {@code user_count} and {@code subscription_count}, read from the
 * shared room store, so they count the members on every node exactly, without asking the nodes
 * ({@code docs/pusher-http-api.md}). A channel is its room: every connection in the room counts,
 * whichever channel name (or Parley bridge) it joined by.
 */
final class ChannelCounts {

  private final RoomStore store;

  ChannelCounts(RoomStore store) {
    this.store = store;
  }

  /** What is in the channel's room now. */
  Future<Occupancy> of(PusherChannel channel) {
    return store.state(channel.room()).map(Occupancy::new);
  }

  /** Users and connections in a room now (none when it has neither members nor history). */
  record Occupancy(RoomState state) {
    /** The users, not counting connections without one ({@link Member#isAnonymous}): they are no presence member. */
    int users() {
      return state == null ? 0 : (int) state.members().stream().filter(member -> !Member.isAnonymous(member.userId())).count();
    }

    int connections() {
      return state == null ? 0 : state.members().stream().mapToInt(RoomState.Presence::connections).sum();
    }

    /** The attributes asked for: {@code user_count} only for a presence channel, {@code subscription_count} for any. */
    JsonObject attributes(PusherChannel channel, Set<String> info) {
      JsonObject attributes = new JsonObject();
      if (info.contains(PusherEvent.USER_COUNT) && channel.isPresence()) {
        attributes.put(PusherEvent.USER_COUNT, users());
      }
      if (info.contains(PusherEvent.SUBSCRIPTION_COUNT)) {
        attributes.put(PusherEvent.SUBSCRIPTION_COUNT, connections());
      }
      return attributes;
    }

    /** {@code [{id}, ...]}: the users of a presence channel. */
    JsonArray userIds() {
      JsonArray users = new JsonArray();
      if (state != null) {
        state.members().stream().filter(member -> !Member.isAnonymous(member.userId()))
          .forEach(member -> users.add(new JsonObject().put("id", member.userId())));
      }
      return users;
    }
  }
}
