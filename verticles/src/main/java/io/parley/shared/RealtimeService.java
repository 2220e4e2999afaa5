package io.parley.shared;

import io.parley.rooms.RoomPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The server-side API for a host application's code running on a Parley node
 * ({@code ParleyNode.realtime()}): publish to rooms, notify topics, and tell browsers how to
 * connect. Events published here are server events: no {@code from}, and any well-formed event
 * name is allowed (not only the client events). They go through the node's
 * {@link RoomPublisher}, as every publish on the node does, with no bus hop. Code elsewhere on
 * the cluster, without a node's room store, sends the same publish to {@code rooms.publish}.
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
   * Stores a notification on {@code topic} and delivers it to every session subscribed to it
   * except {@code originSessionId} (the tab whose action caused it; null: none). Completes with
   * the notification's id once it is stored.
   */
  Future<Long> notifyTopic(String topic, Object data, String originSessionId);

  /**
   * What a browser needs to connect: {@code {url, authAddress, roomPrefix, transports,
   * pingIntervalMs, authTimeoutMs}}.
   */
  JsonObject clientConfig();

  /** @param rooms the node's publisher (one per node, over its room store) */
  static RealtimeService create(Vertx vertx, RoomPublisher rooms, JsonObject clientConfig) {
    return new NodeRealtimeService(vertx, rooms, clientConfig);
  }
}
