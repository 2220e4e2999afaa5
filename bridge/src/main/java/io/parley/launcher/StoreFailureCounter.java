package io.parley.launcher;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.parley.shared.FailureLog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code parley_store_failures_total{store, code}}: store operations that failed, by store
 * ({@code "lock store"}, {@code "notification store"}, ...) and the code the caller was
 * answered (503 while a store is unreachable). An alert on its rate sees an outage before the
 * log is read.
 */
final class StoreFailureCounter implements FailureLog.StoreFailures {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  StoreFailureCounter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void failed(String store, int code) {
    counters.computeIfAbsent(store + '\n' + code, key -> Counter.builder("parley.store.failures")
      .description("Store operations that failed, by store and the code answered")
      .tag("store", store).tag("code", Integer.toString(code))
      .register(registry)).increment();
  }
}
