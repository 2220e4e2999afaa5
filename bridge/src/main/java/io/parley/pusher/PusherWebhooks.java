package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.Request;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Pusher webhooks on this node ({@code docs/pusher-webhooks.md}): queues the webhooks of what this
 * node decided, and sends the cluster's due webhooks. One per node, started and stopped by the
 * node itself rather than deployed beside the verticles: the verticles are undeployed all at
 * once when the node shuts down, and the leaves its closing sockets cause are decided meanwhile
 * (or, if they fail, by the node that evicts it); those decisions must still be queued.
 *
 * <p>It hears {@code rooms.joined} and {@code rooms.left} with local consumers: the rooms verticle
 * (or, for a dead node's members, the node that evicted them) publishes each transition from the
 * node that decided it, and a local consumer hears only its own node's publishes, so each
 * transition is queued by exactly one node. {@link Addresses#PUSHER_WEBHOOK} is where the
 * websocket side hands over the webhooks only it decides ({@code client_event}, {@code cache_miss}).
 */
public final class PusherWebhooks {

  private static final Logger LOG = LoggerFactory.getLogger(PusherWebhooks.class);
  /** How long a stopping node waits for the decisions it is still writing to the queue. */
  private static final long DRAIN_MS = 5_000;

  private final Vertx vertx;
  private final PusherOptions pusher;
  private final FailureLog failures;
  private final WebhookDecisions decisions;
  private final WebhookDispatcher dispatcher;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  /** Queue writes of decisions still in flight, waited for when the node stops. */
  private final Set<Future<Void>> writing = ConcurrentHashMap.newKeySet();

  public PusherWebhooks(Vertx vertx, PusherOptions pusher, WebhookOptions options, WebhookQueue queue, Clock clock,
                        FailureLog failures) {
    this.vertx = vertx;
    this.pusher = pusher;
    this.failures = failures;
    this.decisions = new WebhookDecisions(queue, pusher, options);
    this.dispatcher = decisions.anyWanted() ? new WebhookDispatcher(vertx, queue, pusher, options, clock, failures) : null;
  }

  /** Registers the consumers and starts claiming, on the caller's context (the node's). */
  public Future<Void> start() {
    EventBus bus = vertx.eventBus();
    consumers.add(bus.localConsumer(Addresses.PUSHER_WEBHOOK, m -> Request.reply(m, this::fromSocket)));
    if (dispatcher != null) {
      // local: a consumer hears only what this node published, so each transition is queued once
      consumers.add(bus.<JsonObject>localConsumer(Addresses.ROOMS_JOINED, m -> writing(decisions.joined(
        m.body().getString("room"), m.body().getString("userId"), m.body().getBoolean("occupied", false), m.body().getString("channel")))));
      consumers.add(bus.<JsonObject>localConsumer(Addresses.ROOMS_LEFT, m -> writing(decisions.left(
        m.body().getString("room"), m.body().getString("userId"), m.body().getBoolean("vacated", false), m.body().getString("channel")))));
      dispatcher.start();
    }
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * Stops claiming, waits (a few seconds at most) for the decisions still being queued, then stops
   * hearing new ones; the node closes its stores after this.
   */
  public Future<Void> stop() {
    if (dispatcher != null) {
      dispatcher.stop();
    }
    return Future.join(List.copyOf(writing)).timeout(DRAIN_MS, TimeUnit.MILLISECONDS).otherwiseEmpty()
      .compose(drained -> Future.join(consumers.stream().map(MessageConsumer::unregister).toList()))
      .mapEmpty();
  }

  /**
   * A transition's webhooks being queued. If that fails (the queue is unreachable) nothing retries
   * it: it is logged as lost, through the failure log (one line per kind and interval).
   */
  private void writing(Future<Void> decided) {
    writing.add(decided);
    decided.onComplete(ar -> writing.remove(decided))
      .onFailure(e -> failures.error("queueing the Pusher webhooks of a room transition (lost)", e, LOG));
  }

  /** {@code {app, event: {name, channel, event?, data?, socket_id?, user_id?}}} → {@code {}} once queued. */
  private Future<JsonObject> fromSocket(Message<Object> message) {
    Request request = Request.of(message);
    String appId = request.string("app");
    PusherApp app = pusher.byId(appId).orElseThrow(() -> Failure.notFound("no Pusher app " + appId));
    if (!(request.body().getValue("event") instanceof JsonObject given)) {
      throw Failure.badRequest("event must be an object {name, channel, ...}");
    }
    Request event = Request.of(given);
    String name = event.string("name");
    if (!WebhookDecisions.FROM_SOCKETS.contains(name)) {
      throw Failure.badRequest("event.name must be one of " + WebhookDecisions.FROM_SOCKETS + ", not " + name);
    }
    JsonObject webhook = new JsonObject().put("name", name).put("channel", event.string("channel"));
    for (String field : List.of("event", "data", "socket_id", "user_id")) {
      if (given.getValue(field) != null) {
        webhook.put(field, event.string(field));
      }
    }
    return decisions.now(app, webhook).map(v -> new JsonObject());
  }
}
