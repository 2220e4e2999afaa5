package io.parley.bridge;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.RealtimeService;
import io.parley.shared.Request;
import io.vertx.core.Future;

/**
 * {@code /api/...}: publishing to rooms and notifications for backends that are not on the bus. Every
 * request needs {@code Authorization: Bearer <api key>}; a missing or wrong key is a 401.
 */
final class ApiRoutes {

  private final RealtimeService realtime;
  private final ServiceRequests services;
  private final ApiKeys keys;

  /** @param realtime where room events are published: the node's room publisher, on this node */
  ApiRoutes(RealtimeService realtime, ServiceRequests services, ApiKeys keys) {
    this.realtime = realtime;
    this.services = services;
    this.keys = keys;
  }

  void mount(Router router) {
    router.route("/api/*").handler(this::requireKey);
    router.post("/api/rooms/:room/events").handler(this::publish);
    router.post("/api/notifications").handler(this::notify);
  }

  private void requireKey(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String presented = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
    if (keys.match(presented).isPresent()) {
      ctx.next();
    } else {
      HttpReplies.error(ctx, Failure.UNAUTHENTICATED, "missing or wrong API key: send Authorization: Bearer <key>");
    }
  }

  /** {@code POST /api/rooms/{room}/events {event, data}} → 202 {@code {offset, ts}}, a server event. */
  private void publish(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body == null) {
      return;
    }
    Future<JsonObject> published;
    try {
      published = realtime.trigger(ctx.pathParam("room"), Request.of(body).string("event"), body.getValue("data"))
        .map(at -> new JsonObject().put("offset", at.offset()).put("ts", at.ts()));
    } catch (RuntimeException badRequest) {
      published = Future.failedFuture(badRequest);
    }
    HttpReplies.answer(ctx, 202, published);
  }

  /** {@code POST /api/notifications {topic, data, originSessionId?}} → 202 {@code {id}}, from {@code notifications.publish}. */
  private void notify(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body != null) {
      HttpReplies.answer(ctx, 202, services.request(Addresses.NOTIFICATIONS_PUBLISH, body));
    }
  }
}
