package io.parley.bridge;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * Requests from this node's HTTP face to the bus services. A service this node runs answers
 * them itself ({@code auth.*} when auth is deployed here, ...): one hop less, no round-robin
 * onto a member that just died and is still in the cluster registry until Hazelcast notices,
 * and requests made one after another reach one instance in that order (two publishes through
 * the same node are delivered in the order they were made).
 */
final class ServiceRequests {

  private final EventBus bus;
  private final Set<String> localServices;

  /** @param localServices the services deployed on this node, named as their addresses begin ({@code rooms}, ...) */
  ServiceRequests(EventBus bus, Set<String> localServices) {
    this.bus = bus;
    this.localServices = Set.copyOf(localServices);
  }

  /** {@code options}, kept on this node when it runs the service behind {@code address}. */
  DeliveryOptions route(String address, DeliveryOptions options) {
    int dot = address.indexOf('.');
    return options.setLocalOnly(dot > 0 && localServices.contains(address.substring(0, dot)));
  }

  /** A request as server-side code (no identity headers): the reply's body. */
  Future<JsonObject> request(String address, JsonObject body) {
    return bus.<JsonObject>request(address, body, route(address, new DeliveryOptions())).map(reply -> reply.body());
  }
}
