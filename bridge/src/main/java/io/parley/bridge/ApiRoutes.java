package io.parley.bridge;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;

/**
 * {@code /api/...}: publishing to rooms and notifications for backends that are not on the bus (DESIGN.md §7). Every
 * request needs {@code Authorization: Bearer <api key>}; a missing or wrong key is a 401.
 */
final class ApiRoutes {

  private final ServiceRequests services;
  private final ApiKeys keys;

  ApiRoutes(ServiceRequests services, ApiKeys keys) {
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

  /** {@code POST /api/rooms/{room}/events {event, data}} → 202 {@code {offset, ts}}. */
  private void publish(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body == null) {
      return;
    }
    JsonObject request = new JsonObject()
      .put("room", ctx.pathParam("room"))
      .put("event", body.getValue("event"))
      .put("data", body.getValue("data"));
    forward(ctx, Addresses.ROOMS_PUBLISH, request);
  }

  /** {@code POST /api/notifications {topic, data, originSessionId?}} → 202 {@code {id}}. */
  private void notify(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body != null) {
      forward(ctx, Addresses.NOTIFICATIONS_PUBLISH, body);
    }
  }

  /** Sends a request to a bus service as server-side code (no identity headers) and answers 202 with its reply. */
  private void forward(RoutingContext ctx, String address, JsonObject request) {
    HttpReplies.answer(ctx, 202, services.request(address, request));
  }
}
