package io.parley.shared;

import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * A JSON-object request body with field accessors that fail with 400 and a message that
 * names the field, so every handler validates the same way.
 */
public final class Request {
  private static final Logger LOG = LoggerFactory.getLogger(Request.class);

  private final JsonObject body;

  private Request(JsonObject body) {
    this.body = body;
  }

  public static Request of(Message<?> message) {
    if (!(message.body() instanceof JsonObject json)) {
      throw Failure.badRequest("the body must be a JSON object");
    }
    return new Request(json);
  }

  public static Request of(JsonObject body) {
    if (body == null) {
      throw Failure.badRequest("the body must be a JSON object");
    }
    return new Request(body);
  }

  public JsonObject body() {
    return body;
  }

  public boolean has(String field) {
    return body.getValue(field) != null;
  }

  public String string(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      throw Failure.badRequest(field + " is required");
    }
    if (!(value instanceof String s) || s.isEmpty()) {
      throw Failure.badRequest(field + " must be a non-empty string");
    }
    return s;
  }

  public String optionalString(String field) {
    return has(field) ? string(field) : null;
  }

  public long nonNegativeLong(String field) {
    Object value = body.getValue(field);
    if (value == null) {
      throw Failure.badRequest(field + " is required");
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue()) || n.longValue() < 0) {
      throw Failure.badRequest(field + " must be a non-negative integer");
    }
    return n.longValue();
  }

  public boolean bool(String field) {
    Object value = body.getValue(field);
    if (!(value instanceof Boolean b)) {
      throw Failure.badRequest(field + " must be true or false");
    }
    return b;
  }

  public JsonArray stringArray(String field) {
    Object value = body.getValue(field);
    if (!(value instanceof JsonArray array) || !array.stream().allMatch(String.class::isInstance)) {
      throw Failure.badRequest(field + " must be an array of strings");
    }
    return array;
  }

  /**
   * Runs a handler that answers with a future and turns its outcome into the reply: the
   * value, or a failure with its failure code (docs/protocol.md). Validation errors thrown synchronously become 400s
   * rather than killing the consumer.
   */
  public static <T> void reply(Message<T> message, Function<Message<T>, Future<?>> handler) {
    Future<?> outcome;
    try {
      outcome = handler.apply(message);
    } catch (RuntimeException e) {
      outcome = Future.failedFuture(e);
    }
    outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        int code = Failure.codeOf(ar.cause());
        if (code == Failure.INTERNAL) {
          // a bug hit by every request must not log a stack trace per request
          FailureLog.fallback().error("handling " + message.address(), ar.cause(), LOG);
        }
        message.fail(code, Failure.messageOf(ar.cause()));
      }
    });
  }
}
