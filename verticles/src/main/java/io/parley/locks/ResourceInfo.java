package io.parley.locks;

import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a lock status shows about its resource ({@code info}), asked of the host application,
 * which owns that data: a request {@code {resource}} on {@code locks.resourceInfo}, answered
 * with a JSON object of display fields (the web demo's project versions answer
 * {@code {versionId, versionName, templateId, templateName}}), or failed with 404 when the host
 * knows no such resource. This is how {@code rooms.authorize} lets a host decide joins.
 *
 * <p>Nobody answering (no consumer, no reply within {@code locks.resourceInfoTimeoutMs}, a
 * reply that is not an object, any other failure) is not the lock's concern: {@code info} is
 * then {@code {}} and the lock works as ever, shown by its resource key. That is logged once
 * when it starts and once when answers come back, not per request.
 */
final class ResourceInfo {

  private static final Logger LOG = LoggerFactory.getLogger(ResourceInfo.class);

  private final Vertx vertx;
  private final DeliveryOptions delivery;
  /** Why the last question got no answer, or null while the host answers; for the log only. */
  private String unanswered;

  ResourceInfo(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** The resource's info; a 404 when the host says there is no such resource. */
  Future<JsonObject> known(Resource resource) {
    return vertx.eventBus().request(Addresses.LOCKS_RESOURCE_INFO, new JsonObject().put("resource", resource.key()), delivery)
      .transform(ar -> {
        if (ar.failed() && ar.cause() instanceof ReplyException reply && reply.failureCode() == Failure.NOT_FOUND) {
          answered();
          return Future.failedFuture(Failure.notFound("no resource " + resource + ": " + reply.getMessage()));
        }
        if (ar.succeeded() && ar.result().body() instanceof JsonObject info) {
          answered();
          return Future.succeededFuture(info);
        }
        unanswered(ar.failed() ? Failure.messageOf(ar.cause()) : "the answer was not a JSON object");
        return Future.succeededFuture(new JsonObject());
      });
  }

  /** The resource's info, {@code {}} when the host knows it no more (a lock may outlive its resource). */
  Future<JsonObject> shown(Resource resource) {
    return known(resource).recover(e -> Future.succeededFuture(new JsonObject()));
  }

  private void answered() {
    if (unanswered != null) {
      unanswered = null;
      LOG.info("The host application answers {} again: lock statuses show its details", Addresses.LOCKS_RESOURCE_INFO);
    }
  }

  private void unanswered(String why) {
    if (!why.equals(unanswered)) {
      unanswered = why;
      LOG.warn("No answer on {} ({}): lock statuses show no details of their resources until the host application answers",
        Addresses.LOCKS_RESOURCE_INFO, why);
    }
  }
}
