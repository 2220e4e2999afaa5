package io.parley.pusher;

import io.parley.shared.FailureLog;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends the webhooks that are due, on every node ({@code docs/pusher-webhooks.md}): every
 * {@code pollMs} it claims due jobs from the shared {@link WebhookQueue} (each job goes to one
 * node, for a lease) and POSTs each as Pusher does, signed with the app's secret. A 2xx answer
 * completes the job; anything else (another status, no answer within {@code timeoutMs}, no
 * connection) makes it due again after 1 s, 2 s, 4 s, … at most 60 s, until {@code retryForMs}
 * after it was first due: then it is given up with one log line.
 *
 * <p>A node that dies holding claimed jobs sends none of them; they are due again when their
 * lease runs out and another node sends them. A node that dies after the POST and before
 * completing sends it twice: delivery is at least once.
 */
final class WebhookDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
  /** Webhooks one node POSTs at once, at most. */
  static final int MAX_IN_FLIGHT = 32;

  private final Vertx vertx;
  private final WebhookQueue queue;
  private final PusherOptions pusher;
  private final WebhookOptions options;
  private final Clock clock;
  private final FailureLog failures;
  private final AtomicBoolean claiming = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private WebClient client;
  private long timer = -1;

  WebhookDispatcher(Vertx vertx, WebhookQueue queue, PusherOptions pusher, WebhookOptions options, Clock clock,
                    FailureLog failures) {
    this.vertx = vertx;
    this.queue = queue;
    this.pusher = pusher;
    this.options = options;
    this.clock = clock;
    this.failures = failures;
  }

  /** Claims every {@code pollMs}, on the caller's context. */
  void start() {
    client = WebClient.create(vertx, new WebClientOptions()
      .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.timeoutMs()))
      .setFollowRedirects(false)
      .setUserAgent("parley-pusher-webhooks"));
    timer = vertx.setPeriodic(options.pollMs(), id -> claimDue());
  }

  void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    if (client != null) {
      client.close();
    }
  }

  /** One claim at a time, for no more than the room left under {@link #MAX_IN_FLIGHT}. */
  private void claimDue() {
    int room = MAX_IN_FLIGHT - inFlight.get();
    if (room <= 0 || !claiming.compareAndSet(false, true)) {
      return;
    }
    queue.claim(room, options.leaseMs())
      .onSuccess(this::sendAll)
      .onFailure(e -> failures.warn("claiming due Pusher webhooks", e, LOG))
      .onComplete(ar -> claiming.set(false));
  }

  private void sendAll(List<WebhookQueue.Job> jobs) {
    for (WebhookQueue.Job job : jobs) {
      inFlight.incrementAndGet();
      send(job)
        .onFailure(e -> failures.warn("answering the webhook queue", e, LOG))
        .onComplete(ar -> inFlight.decrementAndGet());
    }
  }

  /** POSTs one job and tells the queue how it went. */
  private Future<Void> send(WebhookQueue.Job job) {
    QueuedWebhook webhook;
    try {
      webhook = QueuedWebhook.decode(job.payload());
    } catch (RuntimeException e) {
      LOG.error("Dropping a queued Pusher webhook that cannot be read ({}): {}", e.getMessage(), job.payload());
      return queue.complete(job.id());
    }
    PusherApp app = pusher.byId(webhook.app()).orElse(null);
    if (app == null) {
      LOG.warn("Dropping the Pusher webhook {}: the app is no longer configured", webhook.describe());
      return queue.complete(job.id());
    }
    // the body is encoded once: the signature is of exactly these bytes
    String body = new JsonObject().put("time_ms", job.firstDueAt()).put("events", new JsonArray().add(webhook.event())).encode();
    return post(webhook.url(), app, body)
      .transform(answer -> answer.succeeded() && answer.result().statusCode() / 100 == 2
        ? queue.complete(job.id())
        : failed(job, webhook, answer.succeeded() ? "HTTP " + answer.result().statusCode() : String.valueOf(answer.cause().getMessage())));
  }

  private Future<HttpResponse<Buffer>> post(String url, PusherApp app, String body) {
    try {
      return client.postAbs(url)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Pusher-Key", app.key())
        .putHeader("X-Pusher-Signature", PusherSignature.sign(app.secret(), body))
        .timeout(options.timeoutMs())
        .sendBuffer(Buffer.buffer(body));
    } catch (RuntimeException e) {
      return Future.failedFuture(e); // a URL the client cannot use fails like an unreachable one
    }
  }

  /** Due again after the next backoff step, or given up once that would pass the retry budget. */
  private Future<Void> failed(WebhookQueue.Job job, QueuedWebhook webhook, String reason) {
    int attempts = job.attempts() + 1;
    long delay = WebhookOptions.retryDelayMs(job.attempts());
    long giveUpAt = job.firstDueAt() + options.retryForMs();
    if (clock.millis() + delay > giveUpAt) {
      LOG.error("Gave up the Pusher webhook {} after {} attempts over {} s (last: {})", webhook.describe(), attempts,
        (clock.millis() - job.firstDueAt()) / 1000, reason);
      return queue.complete(job.id());
    }
    failures.warn("Pusher webhook delivery", new WebhookRefused(webhook.url() + ": " + reason), LOG);
    return queue.retry(job.id(), delay);
  }

  /** Why a delivery failed, for the failure log (which groups by class and message, digits ignored). */
  private static final class WebhookRefused extends RuntimeException {
    WebhookRefused(String message) {
      super(message, null, false, false);
    }
  }
}
