package io.parley.shared;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** {@link RealtimeService} over the event bus: {@code rooms.publish} and {@code notifications.publish} without client headers. */
final class BusRealtimeService implements RealtimeService {

  private final Vertx vertx;
  private final JsonObject clientConfig;

  BusRealtimeService(Vertx vertx, JsonObject clientConfig) {
    this.vertx = vertx;
    this.clientConfig = clientConfig.copy();
  }

  @Override
  public Future<Published> broadcast(String room, RealtimeEvent event) {
    return trigger(room, event.type(), event.data());
  }

  @Override
  public Future<Published> trigger(String room, String eventName, Object data) {
    JsonObject request = new JsonObject().put("room", room).put("event", eventName).put("data", data);
    return vertx.eventBus().<JsonObject>request(Addresses.ROOMS_PUBLISH, request)
      .map(reply -> new Published(reply.body().getLong("offset"), reply.body().getLong("ts")));
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
