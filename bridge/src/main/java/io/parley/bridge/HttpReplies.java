package io.parley.bridge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.parley.shared.Failure;

/** HTTP answers for bus outcomes: the failure code ({@code docs/protocol.md}) becomes the status. */
final class HttpReplies {

  static void answer(RoutingContext ctx, int status, Future<JsonObject> outcome) {
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        json(ctx, status, ar.result());
      } else {
        int code = Failure.codeOf(ar.cause());
        json(ctx, code, new JsonObject().put("error", Failure.messageOf(ar.cause())).put("failureCode", code));
      }
    });
  }

  static void error(RoutingContext ctx, int status, String message) {
    json(ctx, status, new JsonObject().put("error", message).put("failureCode", status));
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }

  /** The request's JSON object body, or a 400 already sent and null returned. */
  static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException ignored) {
      // falls through to the 400
    }
    error(ctx, Failure.BAD_REQUEST, "the body must be a JSON object");
    return null;
  }

  private HttpReplies() {
  }
}
