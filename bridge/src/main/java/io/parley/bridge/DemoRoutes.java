package io.parley.bridge;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.parley.shared.Addresses;
import io.parley.shared.RealtimeService;
import io.parley.votes.PlanningPoker;

/**
 * {@code /demo/...}: what the web demo needs from "the host application's server", which
 * Parley itself is not. Mounted only when dev tokens are on (the embedded default), never in
 * production: nothing here checks who calls.
 *
 * <pre>
 * POST /demo/poker/:id/start    {taskId}               → 200 {id, taskId}        (bus: poker.start, then
 *                                                        task-started {taskId} in planning-poker-:id,
 *                                                        through RealtimeService)
 * POST /demo/poker/:id/finalize {taskId, nextTaskId?}  → 200 task-finalized data (bus: poker.finalize)
 * POST /demo/notifications      {topic, data, originSessionId?} → 202 {id}        (bus: notifications.publish)
 * </pre>
 *
 * Each one is a plain server-side request with the body passed through: the verticles
 * validate it and their failure codes become the HTTP status (docs/protocol.md). A real host
 * application sends the same requests from its own code, after its own authorization.
 */
final class DemoRoutes {

  /** The demo's own server event: which task the poker session estimates now (poker.start itself is silent). */
  static final String TASK_STARTED = "task-started";

  private final RealtimeService realtime;
  private final ServiceRequests services;

  DemoRoutes(RealtimeService realtime, ServiceRequests services) {
    this.realtime = realtime;
    this.services = services;
  }

  void mount(Router router) {
    router.post("/demo/poker/:id/start").handler(this::pokerStart);
    router.post("/demo/poker/:id/finalize").handler(this::pokerFinalize);
    router.post("/demo/notifications").handler(this::notify);
  }

  /**
   * {@code {taskId}} → poker.start; a host application tells its clients which task is up, and
   * so does the demo: a server event {@code task-started {taskId}} in the session's room.
   */
  private void pokerStart(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body == null) {
      return;
    }
    JsonObject request = new JsonObject().put("id", ctx.pathParam("id")).put("taskId", body.getValue("taskId"));
    HttpReplies.answer(ctx, 200, services.request(Addresses.POKER_START, request).compose(started -> realtime.trigger(
        PlanningPoker.ROOM_PREFIX + started.getString("id"), TASK_STARTED, new JsonObject().put("taskId", started.getString("taskId")))
      .map(published -> started)));
  }

  /** {@code {taskId, nextTaskId?}} → poker.finalize, which reveals the votes to the room. */
  private void pokerFinalize(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body == null) {
      return;
    }
    JsonObject request = new JsonObject().put("id", ctx.pathParam("id")).put("taskId", body.getValue("taskId"));
    if (body.containsKey("nextTaskId")) {
      request.put("nextTaskId", body.getValue("nextTaskId"));
    }
    HttpReplies.answer(ctx, 200, services.request(Addresses.POKER_FINALIZE, request));
  }

  /**
   * {@code {topic, data, originSessionId?}} → 202 {@code {id}}. The demo page passes its own
   * sessionId as the origin, so the tab that acted gets no toast while other subscribers do.
   */
  private void notify(RoutingContext ctx) {
    JsonObject body = HttpReplies.body(ctx);
    if (body != null) {
      HttpReplies.answer(ctx, 202, services.request(Addresses.NOTIFICATIONS_PUBLISH, body));
    }
  }
}
