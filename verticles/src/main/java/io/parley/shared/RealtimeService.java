package io.parley.shared;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The server-side API (DESIGN.md §7, planning-poker seed): publish to rooms from any verticle
 * on any node of the cluster, and tell browsers how to connect. Events published here are
 * server events: no {@code from}, and any event name is allowed.
 */
public interface RealtimeService {

  /** An event for {@link #broadcast}: its name and any JSON value as data. */
  record RealtimeEvent(String type, Object data) {
  }

  /** Where a publish landed in the room's stream. */
  record Published(long offset, long ts) {
  }

  Future<Published> broadcast(String room, RealtimeEvent event);

  Future<Published> trigger(String room, String eventName, Object data);

  /**
   * What a browser needs to connect: {@code {url, authAddress, roomPrefix, transports,
   * pingIntervalMs, authTimeoutMs}}.
   */
  JsonObject clientConfig();

  static RealtimeService create(Vertx vertx, JsonObject clientConfig) {
    return new BusRealtimeService(vertx, clientConfig);
  }
}
