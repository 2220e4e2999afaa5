package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.parley.shared.FailureLog;
import io.parley.shared.Request;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Pusher webhooks on this node ({@code docs/pusher-webhooks.md}): decides the webhooks of what
 * this node decided, and sends the cluster's due webhooks. One instance per node: its consumers
 * are local, so each decision is queued once, by the node that made it.
 *
 * <p>It hears {@code rooms.joined} and {@code rooms.left} with local consumers: the rooms verticle
 * (or, for a dead node's members, the node that evicted them) publishes each transition from the
 * node that decided it, and a local consumer hears only its own node's publishes, so each
 * transition is queued by exactly one node. {@link Addresses#PUSHER_WEBHOOK} is where the
 * websocket side hands over the webhooks only it decides ({@code client_event}, {@code cache_miss}).
 */
public final class PusherWebhooksVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PusherWebhooksVerticle.class);

  private final PusherOptions pusher;
  private final WebhookOptions options;
  private final WebhookQueue queue;
  private final Clock clock;
  private final FailureLog failures;
  private WebhookDispatcher dispatcher;
  private WebhookDecisions decisions;

  public PusherWebhooksVerticle(PusherOptions pusher, WebhookOptions options, WebhookQueue queue, Clock clock, FailureLog failures) {
    this.pusher = pusher;
    this.options = options;
    this.queue = queue;
    this.clock = clock;
    this.failures = failures;
  }

  @Override
  public Future<?> start() {
    decisions = new WebhookDecisions(queue, pusher, options);
    EventBus bus = vertx.eventBus();
    List<Future<Void>> consumers = new ArrayList<>();
    consumers.add(bus.localConsumer(Addresses.PUSHER_WEBHOOK, m -> Request.reply(m, this::fromSocket)).completion());
    if (decisions.anyWanted()) {
      // local: a consumer hears only what this node published, so each transition is queued once
      consumers.add(bus.<JsonObject>localConsumer(Addresses.ROOMS_JOINED, m -> queued(decisions.joined(
        m.body().getString("room"), m.body().getString("userId"), m.body().getBoolean("occupied", false), m.body().getString("channel")))
      ).completion());
      consumers.add(bus.<JsonObject>localConsumer(Addresses.ROOMS_LEFT, m -> queued(decisions.left(
        m.body().getString("room"), m.body().getString("userId"), m.body().getBoolean("vacated", false), m.body().getString("channel")))
      ).completion());
      dispatcher = new WebhookDispatcher(vertx, queue, pusher, options, clock, failures);
      dispatcher.start();
    }
    return Future.all(consumers);
  }

  /**
   * A transition's webhooks could not be queued (the queue is unreachable): nothing retries it, so
   * it is logged as lost, through the failure log (one line per kind and interval).
   */
  private void queued(Future<Void> decided) {
    decided.onFailure(e -> failures.error("queueing the Pusher webhooks of a room transition (lost)", e, LOG));
  }

  @Override
  public Future<?> stop() {
    if (dispatcher != null) {
      dispatcher.stop();
    }
    return Future.succeededFuture();
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
