package io.parley.pusher;

import io.vertx.core.json.JsonObject;

/**
 * What the {@link WebhookQueue} holds for one webhook: one event for one of an app's webhook
 * URLs. Each URL is a job of its own, so each is retried on its own.
 *
 * @param app   the app's id; its key and secret are looked up when the webhook is sent
 * @param url   where it goes
 * @param event Pusher's event object: {@code {name, channel, user_id?, event?, data?, socket_id?}}
 */
record QueuedWebhook(String app, String url, JsonObject event) {

  String encode() {
    return new JsonObject().put("app", app).put("url", url).put("event", event).encode();
  }

  static QueuedWebhook decode(String payload) {
    JsonObject json = new JsonObject(payload);
    return new QueuedWebhook(json.getString("app"), json.getString("url"), json.getJsonObject("event"));
  }

  /** For log lines: which event, on which channel, to where (never the data). */
  String describe() {
    return event.getString("name") + " on " + event.getString("channel") + " for app " + app + " to " + url;
  }
}
