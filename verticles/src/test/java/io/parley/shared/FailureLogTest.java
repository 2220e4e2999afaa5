package io.parley.shared;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What an operator reads while a store is down: a few lines per kind of failure, not one per request. */
class FailureLogTest {

  private static final Duration INTERVAL = Duration.ofMillis(300);

  private final Map<String, AtomicLong> counted = new ConcurrentHashMap<>();
  private final String loggerName = "test.failures." + UUID.randomUUID();
  private final Logger log = LoggerFactory.getLogger(loggerName);
  private CapturedLog captured;
  private Vertx vertx;
  private FailureLog failures;

  @BeforeEach
  void start() {
    captured = CapturedLog.of(loggerName);
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
    failures = new FailureLog(INTERVAL, (store, code) -> counted.computeIfAbsent(store + " " + code, k -> new AtomicLong()).incrementAndGet());
  }

  @AfterEach
  void stop() {
    captured.close();
    Await.result(vertx.close());
  }

  @Test
  void a_thousand_failures_of_one_kind_make_one_line_with_the_trace_a_count_per_interval_and_one_saying_they_stopped() {
    onEventLoops(1, 1_000, () -> new ConnectException("Connection refused: /127.0.0.1:" + 5400));

    awaitLine("no failures for");

    List<LogRecord> records = captured.records();
    List<String> lines = messages();
    assertThat(lines.get(0)).isEqualTo("lock store unavailable: ConnectException: Connection refused: /127.0.0.1:5400 "
      + "(first of its kind; more are counted every 0.3 s)");
    assertThat(records.get(0).getThrown()).as("the first one's stack trace").isInstanceOf(ConnectException.class);
    assertThat(records.get(0).getLevel()).isEqualTo(Level.SEVERE);
    List<String> counts = lines.subList(1, lines.size() - 1);
    assertThat(counts).as("a count per interval, however long the thousand took")
      .isNotEmpty()
      .allMatch(line -> line.matches("lock store unavailable: [\\d,]+ operations failed in the last \\d+(\\.\\d)? s "
        + "\\(last: Connection refused: /127.0.0.1:5400\\)"), "a count with the last cause");
    assertThat(records.subList(1, records.size())).as("no trace but the first").allMatch(r -> r.getThrown() == null);
    assertThat(summarized() + 1).isEqualTo(1_000);
    assertThat(lines.get(lines.size() - 1))
      .matches("lock store reachable again: no failures for 0.3 s; 1,000 operations failed over \\d+(\\.\\d)? s");
    assertThat(records.get(records.size() - 1).getLevel()).isEqualTo(Level.INFO);
    assertThat(counted).as("every failure counted, by store and code").containsOnlyKeys("lock store 503");
    assertThat(counted.get("lock store 503").get()).isEqualTo(1_000);
  }

  @Test
  void failures_reported_from_several_event_loops_at_once_are_all_counted_once() {
    onEventLoops(4, 2_500, () -> new ConnectException("Connection refused"));

    awaitLine("no failures for");

    assertThat(messages().stream().filter(m -> m.contains("first of its kind"))).hasSize(1);
    assertThat(summarized() + 1).as("the first one, then the counts").isEqualTo(10_000);
    assertThat(messages().get(messages().size() - 1)).contains("10,000 operations failed over");
    assertThat(counted.get("lock store 503").get()).isEqualTo(10_000);
  }

  @Test
  void each_new_cause_gets_its_trace_once_and_again_after_the_failures_stopped() {
    onEventLoops(1, 3, () -> new ConnectException("Connection refused"));
    onEventLoops(1, 3, () -> new IllegalStateException("pool closed"));
    awaitLine("no failures for");
    int afterFirstOutage = captured.records().size();

    onEventLoops(1, 1, () -> new ConnectException("Connection refused"));
    awaitLine("no failures for", 2);
    List<LogRecord> records = captured.records();

    assertThat(records.stream().filter(r -> r.getThrown() != null).map(r -> r.getThrown().getClass().getSimpleName()))
      .containsExactly("ConnectException", "IllegalStateException", "ConnectException");
    assertThat(records.get(afterFirstOutage).getMessage()).contains("first of its kind");
  }

  @Test
  void causes_whose_words_differ_per_request_get_a_few_traces_and_the_rest_are_counted() {
    onEventLoops(1, 200, () -> new IllegalStateException("no row for session " + UUID.randomUUID()));

    awaitLine("no failures for");

    List<LogRecord> records = captured.records();
    assertThat(records.stream().filter(r -> r.getThrown() != null)).hasSize(5);
    assertThat(summarized() + 5).isEqualTo(200);
  }

  /** {@code count} failures on each of {@code loops} event loops, reported as a store's recover would. */
  private void onEventLoops(int loops, int count, Supplier<Throwable> failure) {
    List<Future<Void>> done = IntStream.range(0, loops).mapToObj(i -> {
      Promise<Void> promise = Promise.promise();
      vertx.getOrCreateContext().runOnContext(v -> {
        for (int n = 0; n < count; n++) {
          Failure.<Void>storeUnavailable("lock store", failures, log).apply(failure.get());
        }
        promise.complete();
      });
      return promise.future();
    }).toList();
    Await.result(Future.all(done));
  }

  /** The failures the count lines add up to. */
  private long summarized() {
    return messages().stream().filter(m -> m.contains("in the last"))
      .mapToLong(m -> Long.parseLong(m.replaceAll(".*unavailable: ([\\d,]+) operations failed in the last.*", "$1").replace(",", "")))
      .sum();
  }

  private List<String> messages() {
    return captured.messages();
  }

  private void awaitLine(String part) {
    awaitLine(part, 1);
  }

  private void awaitLine(String part, int times) {
    Await.until("a line containing '" + part + "'", Duration.ofSeconds(5),
      () -> messages().stream().filter(m -> m.contains(part)).count() >= times);
  }
}
