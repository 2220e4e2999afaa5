package io.parley.pusher;

import io.parley.rooms.Member;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns what the cluster decided into queued webhooks ({@code docs/pusher-webhooks.md}): one job
 * per app and webhook URL that wants the event.
 *
 * <p>A room's transitions come from the room store, which decides each once for the whole
 * cluster. Leaving waits: {@code member_removed} and {@code channel_vacated} are scheduled
 * {@code cancelWindowMs} ahead under a cancel key, and a return before they are due cancels them
 * in the same atomic step that would otherwise schedule {@code member_added} or
 * {@code channel_occupied}, so a quick return sends neither. A URL that wants only one half of a
 * pair still has its half cancelled by the other half's transition.
 */
final class WebhookDecisions {

  /** The events the websocket side decides and hands over ({@code parley.pusher.webhook}). */
  static final List<String> FROM_SOCKETS = List.of("client_event", "cache_miss");

  private final WebhookQueue queue;
  private final PusherOptions pusher;
  private final WebhookOptions options;

  WebhookDecisions(WebhookQueue queue, PusherOptions pusher, WebhookOptions options) {
    this.queue = queue;
    this.pusher = pusher;
    this.options = options;
  }

  /** Whether any app wants any webhook: a node whose apps want none claims nothing. */
  boolean anyWanted() {
    return pusher.apps().stream().anyMatch(app -> !app.webhooks().isEmpty());
  }

  /** A webhook of {@code app} due now, for each of its URLs that wants {@code event}'s name. */
  Future<Void> now(PusherApp app, JsonObject event) {
    List<Future<?>> scheduled = new ArrayList<>();
    for (PusherApp.Webhook hook : app.webhooks()) {
      if (hook.events().contains(event.getString("name"))) {
        scheduled.add(queue.schedule(new QueuedWebhook(app.id(), hook.url(), event).encode(), 0, null));
      }
    }
    return Future.all(scheduled).mapEmpty();
  }

  /**
   * A user's first connection joined {@code room}: {@code member_added} on {@code presence-<room>};
   * and when it made the room occupied, {@code channel_occupied} on the channel it joined with (the
   * room's name for a bridge connection). Each unless it cancels the wait of its opposite.
   */
  Future<Void> joined(String room, String userId, boolean occupied, String channel) {
    List<Future<?>> decided = new ArrayList<>();
    boolean someone = !Member.isAnonymous(userId);
    eachHook((app, hook) -> {
      if (someone) {
        decided.add(arrive(app, hook, Pair.MEMBER, memberKey(app, hook, room, userId), memberEvent("member_added", room, userId)));
      }
      if (occupied) {
        decided.add(arrive(app, hook, Pair.CHANNEL, channelKey(app, hook, room), channelEvent("channel_occupied", room, channel)));
      }
    });
    return Future.all(decided).mapEmpty();
  }

  /**
   * A user's last connection left {@code room}: {@code member_removed}, and when it left the room
   * vacated {@code channel_vacated} on the channel that last connection had joined with; both due
   * after the cancel window.
   */
  Future<Void> left(String room, String userId, boolean vacated, String channel) {
    List<Future<?>> decided = new ArrayList<>();
    boolean someone = !Member.isAnonymous(userId);
    eachHook((app, hook) -> {
      if (someone) {
        decided.add(depart(app, hook, Pair.MEMBER, memberKey(app, hook, room, userId), memberEvent("member_removed", room, userId)));
      }
      if (vacated) {
        decided.add(depart(app, hook, Pair.CHANNEL, channelKey(app, hook, room), channelEvent("channel_vacated", room, channel)));
      }
    });
    return Future.all(decided).mapEmpty();
  }

  /** The two halves of a transition: what an arrival sends, and what a departure sends after the window. */
  private enum Pair {
    MEMBER("member_added", "member_removed"),
    CHANNEL("channel_occupied", "channel_vacated");

    final String arrival;
    final String departure;

    Pair(String arrival, String departure) {
      this.arrival = arrival;
      this.departure = departure;
    }
  }

  private Future<?> arrive(PusherApp app, PusherApp.Webhook hook, Pair pair, String key, JsonObject event) {
    boolean sends = hook.events().contains(pair.arrival);
    if (!sends && !hook.events().contains(pair.departure)) {
      return Future.succeededFuture();
    }
    return queue.cancelOrSchedule(key, sends ? new QueuedWebhook(app.id(), hook.url(), event).encode() : null);
  }

  private Future<?> depart(PusherApp app, PusherApp.Webhook hook, Pair pair, String key, JsonObject event) {
    return hook.events().contains(pair.departure)
      ? queue.schedule(new QueuedWebhook(app.id(), hook.url(), event).encode(), options.cancelWindowMs(), key)
      : Future.succeededFuture();
  }

  private void eachHook(java.util.function.BiConsumer<PusherApp, PusherApp.Webhook> action) {
    for (PusherApp app : pusher.apps()) {
      for (PusherApp.Webhook hook : app.webhooks()) {
        action.accept(app, hook);
      }
    }
  }

  private static JsonObject memberEvent(String name, String room, String userId) {
    return new JsonObject().put("name", name).put("channel", PusherChannel.Kind.PRESENCE.prefix + room).put("user_id", userId);
  }

  private static JsonObject channelEvent(String name, String room, String channel) {
    return new JsonObject().put("name", name).put("channel", channel == null ? room : channel);
  }

  /** Unambiguous whatever the names hold: a JSON array of its parts. */
  private static String memberKey(PusherApp app, PusherApp.Webhook hook, String room, String userId) {
    return new JsonArray().add(app.id()).add(hook.url()).add("member").add(room).add(userId).encode();
  }

  private static String channelKey(PusherApp app, PusherApp.Webhook hook, String room) {
    return new JsonArray().add(app.id()).add(hook.url()).add("channel").add(room).encode();
  }
}
