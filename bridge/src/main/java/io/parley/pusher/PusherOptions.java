package io.parley.pusher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code pusher} section ({@code docs/configuration.md}): the apps whose Pusher clients and
 * SDKs this node serves, and which rooms a public channel (one without a signature) may reach.
 *
 * @param apps                   the apps, each with a distinct id and key
 * @param publicRoomPrefixes     a public channel {@code <room>} is served only when the room starts with one of these
 * @param activityTimeoutSeconds the {@code activity_timeout} a socket is told: after that long without a message from
 *                               it, the node sends {@code pusher:ping} (120, as Pusher's own servers)
 * @param pongTimeoutSeconds     how long after that ping a still silent socket is closed with 4201 (30, pusher-js's own)
 */
public record PusherOptions(List<PusherApp> apps, List<String> publicRoomPrefixes, int activityTimeoutSeconds,
                            int pongTimeoutSeconds) {

  /** The secret of conf/default.json's development app; a node with dev tokens off refuses to start with it. */
  public static final String DEV_SECRET = "parley-dev-pusher-secret";

  public PusherOptions {
    apps = List.copyOf(apps);
    publicRoomPrefixes = List.copyOf(publicRoomPrefixes);
    if (apps.stream().map(PusherApp::id).distinct().count() != apps.size()) {
      throw new IllegalArgumentException("pusher.apps: two apps have the same id");
    }
    if (apps.stream().map(PusherApp::key).distinct().count() != apps.size()) {
      throw new IllegalArgumentException("pusher.apps: two apps have the same key");
    }
    if (activityTimeoutSeconds < 1 || pongTimeoutSeconds < 1) {
      throw new IllegalArgumentException("pusher.activityTimeoutSeconds and pusher.pongTimeoutSeconds must be at least 1");
    }
  }

  public static PusherOptions fromConfig(JsonObject pusher) {
    JsonObject p = pusher == null ? new JsonObject() : pusher;
    List<PusherApp> apps = new ArrayList<>();
    JsonArray listed = p.getJsonArray("apps", new JsonArray());
    for (int i = 0; i < listed.size(); i++) {
      if (!(listed.getValue(i) instanceof JsonObject app)) {
        throw new IllegalArgumentException("pusher.apps[" + i + "] must be an object {id, key, secret, ...}");
      }
      apps.add(PusherApp.fromConfig(app, i));
    }
    JsonArray prefixes = p.getJsonArray("publicRoomPrefixes", new JsonArray().add("public-").add("planning-poker-").add("votes-"));
    return new PusherOptions(apps, prefixes.stream().map(String::valueOf).toList(), p.getInteger("activityTimeoutSeconds", 120),
      p.getInteger("pongTimeoutSeconds", 30));
  }

  public Optional<PusherApp> byKey(String key) {
    return apps.stream().filter(app -> app.key().equals(key)).findFirst();
  }

  public Optional<PusherApp> byId(String id) {
    return apps.stream().filter(app -> app.id().equals(id)).findFirst();
  }

  /** True when an app still has the development secret (refused when dev tokens are off). */
  public boolean usesDevSecret() {
    return apps.stream().anyMatch(app -> app.secret().equals(DEV_SECRET));
  }

  /** Whether a public channel may reach {@code room}. */
  public boolean isPublicRoom(String room) {
    return publicRoomPrefixes.stream().anyMatch(room::startsWith);
  }
}
