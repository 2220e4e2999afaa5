package io.parley.pusher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One Pusher app of {@code pusher.apps} ({@code docs/pusher.md}): the credentials its
 * {@code pusher-js} clients and server SDKs use, and what it allows.
 *
 * @param id           the app id of the HTTP API's {@code /apps/<id>/...}
 * @param key          the public key of {@code /app/<key>} and of signatures ({@code key:signature})
 * @param secret       the HMAC-SHA256 secret that signs channel authorizations, sign-ins and API requests
 * @param enabled      a disabled app's sockets are closed with 4003 and its API answers 403
 * @param clientEvents whether subscribers may trigger {@code client-*} events on private and presence channels
 * @param webhooks     where the app's webhooks go
 */
public record PusherApp(String id, String key, String secret, boolean enabled, boolean clientEvents, List<Webhook> webhooks) {

  /** A webhook target: a URL and the events it wants (all of {@link #EVENTS} when none are listed). */
  public record Webhook(String url, Set<String> events) {
  }

  /** The webhook events Parley sends. */
  public static final Set<String> EVENTS = Set.of("channel_occupied", "channel_vacated", "member_added", "member_removed",
    "client_event", "cache_miss");

  public PusherApp {
    webhooks = List.copyOf(webhooks);
  }

  @Override
  public String toString() {
    return "app " + id; // never the secret
  }

  static PusherApp fromConfig(JsonObject json, int index) {
    String where = "pusher.apps[" + index + "]";
    String id = required(json, "id", where);
    String key = required(json, "key", where);
    String secret = required(json, "secret", where);
    if (!key.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(where + ".key must match [A-Za-z0-9_-]{1,64}: it is a path segment of /app/<key>");
    }
    if (!id.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException(where + ".id must match [A-Za-z0-9_-]{1,64}: it is a path segment of /apps/<id>");
    }
    List<Webhook> webhooks = new ArrayList<>();
    JsonArray hooks = json.getJsonArray("webhooks", new JsonArray());
    for (int i = 0; i < hooks.size(); i++) {
      JsonObject hook = hooks.getJsonObject(i);
      String url = required(hook, "url", where + ".webhooks[" + i + "]");
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException(where + ".webhooks[" + i + "].url must be an http:// or https:// URL");
      }
      JsonArray listed = hook.getJsonArray("events", new JsonArray());
      Set<String> events = listed.isEmpty() ? EVENTS : Set.copyOf(listed.stream().map(String::valueOf).toList());
      for (String event : events) {
        if (!EVENTS.contains(event)) {
          throw new IllegalArgumentException(where + ".webhooks[" + i + "]: unknown event '" + event + "' (one of " + EVENTS + ")");
        }
      }
      webhooks.add(new Webhook(url, events));
    }
    return new PusherApp(id, key, secret, json.getBoolean("enabled", true), json.getBoolean("clientEvents", false), webhooks);
  }

  private static String required(JsonObject json, String field, String where) {
    if (!(json.getValue(field) instanceof String value) || value.isBlank()) {
      throw new IllegalArgumentException(where + "." + field + " must be a non-blank string");
    }
    return value;
  }
}
