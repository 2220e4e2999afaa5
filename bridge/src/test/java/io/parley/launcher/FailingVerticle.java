package io.parley.launcher;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** An application verticle whose start fails, as one missing its database would. */
public class FailingVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    return Future.failedFuture("orders database unreachable");
  }
}
