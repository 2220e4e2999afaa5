package io.parley.shared;

import io.parley.rooms.RoomPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * {@link RealtimeService} of one node: room events through the node's {@link RoomPublisher}
 * (no bus hop, whichever nodes run a rooms verticle), notifications over the bus to
 * {@code notifications.publish} without client headers.
 */
final class NodeRealtimeService implements RealtimeService {

  private final Vertx vertx;
  private final RoomPublisher rooms;
  private final JsonObject clientConfig;

  NodeRealtimeService(Vertx vertx, RoomPublisher rooms, JsonObject clientConfig) {
    this.vertx = vertx;
    this.rooms = rooms;
    this.clientConfig = clientConfig.copy();
  }

  @Override
  public Future<Published> broadcast(String room, RealtimeEvent event) {
    return trigger(room, event.type(), event.data());
  }

  @Override
  public Future<Published> trigger(String room, String eventName, Object data) {
    return rooms.publish(room, eventName, data).map(envelope -> new Published(envelope.offset(), envelope.ts()));
  }

  @Override
  public Future<Long> notifyTopic(String topic, Object data, String originSessionId) {
    JsonObject request = new JsonObject().put("topic", topic).put("data", data).put("originSessionId", originSessionId);
    return vertx.eventBus().<JsonObject>request(Addresses.NOTIFICATIONS_PUBLISH, request)
      .map(reply -> reply.body().getLong("id"));
  }

  @Override
  public JsonObject clientConfig() {
    return clientConfig.copy();
  }
}
