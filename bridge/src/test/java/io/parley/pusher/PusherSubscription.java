package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.shared.Headers;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * A Pusher subscription as the room store sees it: what the Pusher websocket side sends on the
 * bus for a subscription ({@code rooms.join} naming its channel and the node that holds its
 * socket) and for an unsubscribe ({@code rooms.leave}), with the identity headers of its socket.
 */
record PusherSubscription(String userId, String connectionId, String room, String channel, String node) {

  void join(Vertx bus) {
    request(bus, Addresses.ROOMS_JOIN, new JsonObject().put("room", room).put("name", userId).put("node", node).put("channel", channel));
  }

  void leave(Vertx bus) {
    request(bus, Addresses.ROOMS_LEAVE, new JsonObject().put("room", room));
  }

  private void request(Vertx bus, String address, JsonObject body) {
    DeliveryOptions identity = new DeliveryOptions().addHeader(Headers.USER_ID, userId)
      .addHeader(Headers.SESSION_ID, "session-" + connectionId).addHeader(Headers.CONNECTION_ID, connectionId);
    try {
      bus.eventBus().request(address, body, identity).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(address + " failed", e);
    }
  }
}
