package io.parley.launcher;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/**
 * An application verticle as a developer writes one, deployed by class name from
 * {@code deployment.verticles}: at start each instance publishes its config's greeting to the
 * room its config names (user-ann unless it says), through {@code rooms.publish} on the bus, which only answers once
 * Parley's rooms verticle is up.
 */
public class GreetingVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return vertx.eventBus().request("rooms.publish", new JsonObject()
      .put("room", config().getString("room", "user-ann"))
      .put("event", "app.started")
      .put("data", new JsonObject().put("greeting", config().getString("greeting", "hello")).put("deploymentId", deploymentID())));
  }
}
