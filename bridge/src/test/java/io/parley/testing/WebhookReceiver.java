package io.parley.testing;

import io.parley.pusher.PusherSignature;
import io.parley.shared.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A webhook endpoint for tests: a real HTTP server on loopback that records every request and
 * answers 200, or the statuses it was told to answer first. Waits are bounded.
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One request as it arrived: the headers a Pusher SDK checks, and the body's exact text. */
  public record Received(String method, String contentType, String key, String signature, String body, long arrivedAtNanos) {

    public JsonObject json() {
      return new JsonObject(body);
    }

    /** The one event of the batch (Parley sends one event per request). */
    public JsonObject event() {
      return json().getJsonArray("events").getJsonObject(0);
    }

    public String name() {
      return event().getString("name");
    }
  }

  private static final AtomicInteger MARKERS = new AtomicInteger();

  private final Vertx vertx;
  private final HttpServer server;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final Queue<Integer> statuses = new ConcurrentLinkedQueue<>();

  private WebhookReceiver(Vertx vertx) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(new Received(request.method().name(), request.getHeader("Content-Type"), request.getHeader("X-Pusher-Key"),
        request.getHeader("X-Pusher-Signature"), body.toString(), System.nanoTime()));
      Integer status = statuses.poll();
      request.response().setStatusCode(status == null ? 200 : status).end();
    }));
  }

  public static WebhookReceiver start() {
    WebhookReceiver receiver = new WebhookReceiver(Vertx.vertx());
    try {
      receiver.server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      receiver.close();
      throw new IllegalStateException("the webhook receiver did not start", e);
    }
    return receiver;
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/pusher/webhooks";
  }

  /** The next requests are answered with these statuses, in order; 200 after them. */
  public void answerFirst(Integer... codes) {
    statuses.addAll(List.of(codes));
  }

  /** The next request, waiting at most {@code limit}. */
  public Received next(Duration limit) {
    try {
      Received next = received.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
      if (next == null) {
        throw new AssertionError("no webhook arrived within " + limit.toMillis() + " ms");
      }
      return next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public Received next() {
    return next(Duration.ofSeconds(10));
  }

  /** The next {@code count} requests. */
  public List<Received> next(int count) {
    List<Received> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(next());
    }
    return all;
  }

  /**
   * Hands a marker client event of {@code app} to a node and answers what arrived before it: the
   * marker is due after everything decided so far, so whatever was decided arrives first.
   */
  public List<Received> untilMarker(Vertx node, String app) {
    String marker = "client-marker-" + MARKERS.incrementAndGet();
    try {
      node.eventBus().request(Addresses.PUSHER_WEBHOOK, new JsonObject().put("app", app).put("event", new JsonObject()
        .put("name", "client_event").put("channel", "private-marker").put("event", marker))).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("handing over the marker failed", e);
    }
    List<Received> before = new ArrayList<>();
    for (Received next = next(); !marker.equals(next.event().getString("event")); next = next()) {
      before.add(next);
    }
    return before;
  }

  /** The events of {@code webhooks}, each checked to carry {@code key} and be signed with {@code secret}. */
  public static List<JsonObject> signedEvents(String key, String secret, List<Received> webhooks) {
    List<JsonObject> events = new ArrayList<>();
    for (Received webhook : webhooks) {
      assertThat(webhook.key()).isEqualTo(key);
      assertThat(PusherSignature.verify(secret, webhook.body(), webhook.signature())).as("signed: %s", webhook.body()).isTrue();
      events.addAll(webhook.json().getJsonArray("events").stream().map(JsonObject.class::cast).toList());
    }
    return events;
  }

  /** Requests received and not taken yet (none waited for). */
  public List<Received> pending() {
    List<Received> all = new ArrayList<>();
    received.drainTo(all);
    return all;
  }

  @Override
  public void close() {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
