package io.parley.rooms;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.parley.auth.Principal;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.RoomName;

import java.util.List;

/**
 * A {@link RoomPolicy} that asks the host application: a request
 * {@code {room, userId, sessionId, name, orgs, boards}} on {@code rooms.authorize}, answered
 * with {@code {allowed: true|false}}. No answer in time is a refusal (503), never a yes.
 */
final class BusRoomPolicy implements RoomPolicy {

  private final Vertx vertx;
  private final DeliveryOptions delivery;

  BusRoomPolicy(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  @Override
  public Future<Boolean> mayJoin(Principal principal, RoomName room) {
    Boolean identity = RoomPolicy.identityRoom(principal, room);
    if (identity != null) {
      return Future.succeededFuture(identity);
    }
    JsonObject question = new JsonObject()
      .put("room", room.value())
      .put("userId", principal.userId())
      .put("sessionId", principal.sessionId())
      .put("name", principal.name())
      .put("orgs", new JsonArray(List.copyOf(principal.orgs())))
      .put("boards", new JsonArray(List.copyOf(principal.boards())));
    return vertx.eventBus().<Object>request(Addresses.ROOMS_AUTHORIZE, question, delivery)
      .recover(e -> Future.failedFuture(Failure.unavailable("room policy did not answer: " + Failure.messageOf(e))))
      .map(reply -> reply.body() instanceof JsonObject answer && answer.getBoolean("allowed", false));
  }
}
