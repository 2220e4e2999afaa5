package io.parley.pusher;

import io.parley.shared.Addresses;
import io.parley.shared.Await;
import io.parley.shared.CapturedLog;
import io.parley.shared.TestRedis;
import io.parley.testing.TestNode;
import io.parley.testing.WebhookReceiver;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a webhook reaches its receiver, on a node with Redis stores and a real HTTP receiver on
 * loopback: signed as Pusher signs it, retried while the receiver fails. The events here are the
 * ones the websocket side hands over on {@code parley.pusher.webhook}.
 */
class WebhookDeliveryTest {

  private static final String SECRET = "webhook-test-secret";
  private static final long RETRY_FOR_MS = 4_000;

  private final String prefix = TestRedis.freshPrefix();
  private WebhookReceiver receiver;
  private WebhookReceiver cacheMisses;
  private TestNode node;

  @BeforeEach
  void start() {
    receiver = WebhookReceiver.start();
    cacheMisses = WebhookReceiver.start();
    JsonObject app = new JsonObject().put("id", "app-1").put("key", "key-1").put("secret", SECRET)
      .put("webhooks", new JsonArray()
        .add(new JsonObject().put("url", receiver.url()).put("events", new JsonArray().add("client_event")))
        .add(new JsonObject().put("url", cacheMisses.url()).put("events", new JsonArray().add("cache_miss"))));
    node = TestNode.start(new JsonObject()
      .put("redis", new JsonObject().put("uri", TestNode.REDIS_URI).put("prefix", prefix))
      .put("pusher", new JsonObject().put("apps", new JsonArray().add(app))
        // retried at 1 s and 3 s, then given up: the next attempt (7 s) would be past 4 s
        .put("webhookDelivery", new JsonObject().put("retryForMs", RETRY_FOR_MS))));
  }

  @AfterEach
  void stop() {
    node.close();
    receiver.close();
    cacheMisses.close();
    TestRedis.deleteKeys(prefix);
  }

  @Test
  void a_client_event_is_posted_as_pusher_posts_it_signed_with_the_apps_secret() {
    JsonObject event = new JsonObject().put("name", "client_event").put("channel", "private-board-1")
      .put("event", "client-typing").put("data", "{\"who\":\"ann\"}").put("socket_id", "123.456");

    handOver(new JsonObject().put("app", "app-1").put("event", event));

    WebhookReceiver.Received webhook = receiver.next();
    assertThat(webhook.method()).isEqualTo("POST");
    assertThat(webhook.contentType()).isEqualTo("application/json");
    assertThat(webhook.key()).isEqualTo("key-1");
    assertThat(PusherSignature.verify(SECRET, webhook.body(), webhook.signature())).as("X-Pusher-Signature").isTrue();
    assertThat(webhook.json().getLong("time_ms")).isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000L));
    assertThat(webhook.json().getJsonArray("events")).containsExactly(event);
  }

  @Test
  void each_url_gets_only_the_events_it_asked_for() {
    handOver(clientEvent("private-board-1", "client-first"));
    assertThat(receiver.next().event().getString("event")).isEqualTo("client-first");

    handOver(new JsonObject().put("app", "app-1").put("event", new JsonObject().put("name", "cache_miss").put("channel", "cache-board-1")));

    WebhookReceiver.Received miss = cacheMisses.next();
    assertThat(miss.event()).isEqualTo(new JsonObject().put("name", "cache_miss").put("channel", "cache-board-1"));
    assertThat(cacheMisses.pending()).as("the client event went to its own URL only").isEmpty();
    assertThat(receiver.pending()).as("the cache miss went to its own URL only").isEmpty();
  }

  @Test
  void a_receiver_that_fails_gets_the_webhook_again_after_a_backoff_until_it_answers_2xx() {
    receiver.answerFirst(500, 503);

    handOver(clientEvent("private-board-1", "client-retried"));

    WebhookReceiver.Received first = receiver.next();
    WebhookReceiver.Received second = receiver.next();
    WebhookReceiver.Received third = receiver.next();
    for (WebhookReceiver.Received attempt : java.util.List.of(first, second, third)) {
      assertThat(attempt.event().getString("event")).isEqualTo("client-retried");
      assertThat(PusherSignature.verify(SECRET, attempt.body(), attempt.signature())).isTrue();
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(second.arrivedAtNanos() - first.arrivedAtNanos())).as("first backoff, 1 s")
      .isGreaterThanOrEqualTo(1_000);
    assertThat(TimeUnit.NANOSECONDS.toMillis(third.arrivedAtNanos() - second.arrivedAtNanos())).as("second backoff, 2 s")
      .isGreaterThanOrEqualTo(2_000);

    // answered 200 the third time: a later webhook is the next thing the receiver sees
    handOver(clientEvent("private-board-1", "client-after"));
    assertThat(receiver.next().event().getString("event")).isEqualTo("client-after");
  }

  @Test
  void a_webhook_still_failing_when_its_retry_budget_runs_out_is_given_up_with_one_log_line() {
    receiver.answerFirst(500, 500, 500);
    try (CapturedLog log = CapturedLog.of(WebhookDispatcher.class.getName())) {
      handOver(clientEvent("private-board-1", "client-lost"));

      assertThat(receiver.next(3)).extracting(attempt -> attempt.event().getString("event"))
        .containsExactly("client-lost", "client-lost", "client-lost");
      Await.until("the give-up line", Duration.ofSeconds(10), () -> !errors(log).isEmpty());
      assertThat(errors(log)).singleElement().satisfies(line -> {
        assertThat(line.getMessage()).contains("Gave up the Pusher webhook client_event on private-board-1 for app app-1",
          "after 3 attempts", "HTTP 500");
      });
    }
    // deliveries go on with the next webhook
    handOver(clientEvent("private-board-1", "client-next"));
    assertThat(receiver.next().event().getString("event")).isEqualTo("client-next");
  }

  private static java.util.List<java.util.logging.LogRecord> errors(CapturedLog log) {
    return log.records().stream().filter(line -> line.getLevel() == Level.SEVERE).toList();
  }

  @Test
  void a_webhook_for_an_unknown_app_or_of_an_event_the_sockets_do_not_decide_is_refused() {
    assertThat(failureCodeOf(new JsonObject().put("app", "no-such-app")
      .put("event", new JsonObject().put("name", "client_event").put("channel", "private-x")))).isEqualTo(404);
    assertThat(failureCodeOf(new JsonObject().put("app", "app-1")
      .put("event", new JsonObject().put("name", "member_added").put("channel", "presence-x")))).isEqualTo(400);
    assertThat(failureCodeOf(new JsonObject().put("app", "app-1")
      .put("event", new JsonObject().put("name", "client_event")))).as("no channel").isEqualTo(400);
  }

  private static JsonObject clientEvent(String channel, String event) {
    return new JsonObject().put("app", "app-1").put("event", new JsonObject().put("name", "client_event")
      .put("channel", channel).put("event", event).put("data", "{}").put("socket_id", "1.2"));
  }

  private void handOver(JsonObject body) {
    Await.result(node.vertx().eventBus().request(Addresses.PUSHER_WEBHOOK, body));
  }

  private int failureCodeOf(JsonObject body) {
    Throwable failure = Await.failure(node.vertx().eventBus().request(Addresses.PUSHER_WEBHOOK, body));
    return failure instanceof ReplyException reply ? reply.failureCode() : -1;
  }
}
