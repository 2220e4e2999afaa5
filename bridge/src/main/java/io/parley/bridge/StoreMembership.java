package io.parley.bridge;

import io.parley.shared.Addresses;
import io.parley.shared.Headers;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a socket of either protocol is a member of a room in the room store: {@code rooms.join}
 * when it joins (idempotent per connection id, so the rejoin after a store restart is the same
 * request) and {@code rooms.leave} when it leaves, each with the identity headers the bridge
 * writes. The rooms verticle records the member and announces the user's first and last
 * connection ({@code docs/architecture.md}, joining a room), so presence and counts are the same
 * cluster-wide whichever protocol a member speaks.
 */
final class StoreMembership {

  private static final Logger LOG = LoggerFactory.getLogger(StoreMembership.class);

  /** Who a member is, as the identity headers carry it. */
  record Identity(String userId, String sessionId, String connectionId, String name) {
    DeliveryOptions headers() {
      return new DeliveryOptions()
        .addHeader(Headers.USER_ID, userId)
        .addHeader(Headers.SESSION_ID, sessionId)
        .addHeader(Headers.CONNECTION_ID, connectionId)
        .addHeader(Headers.USER_NAME, name);
    }
  }

  private StoreMembership() {
  }

  /**
   * Records the member in the room's presence; {@code info} (a Pusher presence member's user_info)
   * and {@code channel} (the Pusher channel name a subscription joined with, which webhooks name)
   * are null for a bridge connection.
   */
  static Future<Void> join(ConnectionContext ctx, RoomName room, Identity who, JsonObject info, String channel) {
    JsonObject body = new JsonObject().put("room", room.value()).put("name", who.name()).put("node", ctx.nodeId());
    if (info != null) {
      body.put("info", info);
    }
    if (channel != null) {
      body.put("channel", channel);
    }
    return ctx.bus().request(Addresses.ROOMS_JOIN, body, ctx.routing().route(Addresses.ROOMS_JOIN, who.headers())).mapEmpty();
  }

  /** Removes the member; a failure is logged, not passed on (the node's eviction is the backstop). */
  static Future<Void> leave(ConnectionContext ctx, RoomName room, Identity who) {
    return ctx.bus().request(Addresses.ROOMS_LEAVE, new JsonObject().put("room", room.value()),
        ctx.routing().route(Addresses.ROOMS_LEAVE, who.headers()))
      .<Void>mapEmpty()
      .recover(e -> {
        ctx.failures().warn("leaving rooms", e, LOG);
        return Future.succeededFuture();
      });
  }
}
