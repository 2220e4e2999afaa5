package io.parley.bridge;

import io.parley.shared.Failure;
import io.parley.shared.Headers;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one service connection consumes for the node: for each address it registered (a host
 * hook such as {@code rooms.authorize}, a server event such as {@code rooms.joined}) one
 * clustered bus consumer, so the bus's round-robin picks among every service that registered it;
 * and the requests it was handed and has not answered yet, each under an opaque id that only this
 * connection can answer to. Pending requests are bounded: at most {@code bridge.maxPendingRequests}
 * (one more is failed with 503 at once), each failed with 503 after {@code bridge.replyTimeoutMs},
 * and all of them when the connection closes, so a requester never waits on a service that is
 * gone. Used from the connection's event loop only.
 */
final class ServiceHooks {

  /** Where a consumed message goes: the connection writes it to the service. */
  interface Sink {
    void consumed(String address, Object body, String replyId);
  }

  private record Pending(Message<Object> message, long deadline) {
  }

  private final EventBus bus;
  private final String serviceId;
  private final int maxPending;
  private final long timeoutMs;
  private final Sink sink;
  private final Clock clock;
  private final Map<String, MessageConsumer<Object>> consumers = new HashMap<>();
  /** In the order handed out, which is deadline order: the timeout is the same for all. */
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  ServiceHooks(EventBus bus, String serviceId, BridgeOptions options, Clock clock, Sink sink) {
    this.clock = clock;
    this.bus = bus;
    this.serviceId = serviceId;
    this.maxPending = options.maxPendingRequests();
    this.timeoutMs = options.replyTimeoutMs();
    this.sink = sink;
  }

  boolean registered(String address) {
    return consumers.containsKey(address);
  }

  /** Consumes {@code address} for the service; completes once the bus (cluster-wide) knows it. */
  Future<Void> register(String address) {
    MessageConsumer<Object> consumer = bus.consumer(address, this::consumed);
    consumers.put(address, consumer);
    return consumer.completion();
  }

  void unregister(String address) {
    MessageConsumer<Object> consumer = consumers.remove(address);
    if (consumer != null) {
      consumer.unregister();
    }
  }

  /** True when {@code id} is a request this connection was handed and has not answered. */
  boolean awaits(String id) {
    return pending.containsKey(id);
  }

  /**
   * The service's answer to request {@code id}: a reply with {@code body}, or, with a
   * {@code failureCode}, a failure (the requester sees that code and message).
   */
  void answer(String id, Object body, Integer failureCode, String message) {
    Pending request = pending.remove(id);
    if (request == null) {
      return;
    }
    if (failureCode != null) {
      request.message().fail(failureCode, message == null ? "the service failed the request" : message);
    } else {
      request.message().reply(body, new DeliveryOptions().addHeader(Headers.SERVICE, serviceId));
    }
  }

  /** Fails every request that waited longer than {@code bridge.replyTimeoutMs}. */
  void expire(long now) {
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      Pending request = it.next();
      if (request.deadline() > now) {
        return;
      }
      it.remove();
      request.message().fail(Failure.UNAVAILABLE, "service " + serviceId + " did not answer in time: try again");
    }
  }

  /** The connection closed: its consumers go, and whoever waits on it hears so now. */
  void close() {
    consumers.values().forEach(MessageConsumer::unregister);
    consumers.clear();
    List<Pending> waiting = List.copyOf(pending.values());
    pending.clear();
    waiting.forEach(request -> request.message().fail(Failure.UNAVAILABLE,
      "service " + serviceId + " disconnected before answering: try again"));
  }

  private void consumed(Message<Object> message) {
    if (message.replyAddress() == null) {
      sink.consumed(message.address(), message.body(), null);
      return;
    }
    if (pending.size() >= maxPending) {
      message.fail(Failure.UNAVAILABLE, "service " + serviceId + " has " + maxPending + " requests pending: try again");
      return;
    }
    String id = UUID.randomUUID().toString();
    pending.put(id, new Pending(message, clock.millis() + timeoutMs));
    sink.consumed(message.address(), message.body(), id);
  }
}
