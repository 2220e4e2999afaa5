package io.parley.pusher;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns what the cluster decided into queued webhooks ({@code docs/pusher-webhooks.md}): one job
 * per app and webhook URL that wants the event.
 */
final class WebhookDecisions {

  /** The events the websocket side decides and hands over ({@code parley.pusher.webhook}). */
  static final List<String> FROM_SOCKETS = List.of("client_event", "cache_miss");

  private final WebhookQueue queue;
  private final PusherOptions pusher;

  WebhookDecisions(WebhookQueue queue, PusherOptions pusher) {
    this.queue = queue;
    this.pusher = pusher;
  }

  /** Whether any app wants any webhook: a node whose apps want none claims nothing. */
  boolean anyWanted() {
    return pusher.apps().stream().anyMatch(app -> !app.webhooks().isEmpty());
  }

  /** A webhook of {@code app} due now, for each of its URLs that wants {@code event}'s name. */
  Future<Void> now(PusherApp app, JsonObject event) {
    List<Future<Void>> scheduled = new ArrayList<>();
    for (String url : urlsWanting(app, event.getString("name"))) {
      scheduled.add(queue.schedule(new QueuedWebhook(app.id(), url, event).encode(), 0, null));
    }
    return Future.all(scheduled).mapEmpty();
  }

  private static List<String> urlsWanting(PusherApp app, String name) {
    return app.webhooks().stream().filter(hook -> hook.events().contains(name)).map(PusherApp.Webhook::url).toList();
  }
}
