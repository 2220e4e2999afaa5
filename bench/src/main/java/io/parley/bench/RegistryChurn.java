package io.parley.bench;

import com.hazelcast.config.Config;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What per-room bus consumers would cost a connect storm (issue 3, item 6): registering N
 * consumers cluster-wide on a 2-member Hazelcast event bus (one registry write each, as a
 * {@code client-<sessionId>} room per tab would need) against N local consumers (what Parley
 * does: its Redis fan-out reaches each node once, and rooms are local consumers).
 *
 * <p>{@code java -cp bench/target/parley-bench.jar io.parley.bench.RegistryChurn [N] [inFlight]}
 */
public final class RegistryChurn {

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    String cluster = "registry-churn-" + UUID.randomUUID().toString().substring(0, 8);
    List<Vertx> nodes = new ArrayList<>();
    try {
      for (int port : new int[]{16701, 16702}) {
        Config hz = new Config().setClusterName(cluster);
        hz.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        hz.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
        hz.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
        hz.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:16701").addMember("127.0.0.1:16702");
        VertxOptions options = new VertxOptions();
        options.getEventBusOptions().setHost("127.0.0.1").setPort(0);
        nodes.add(Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered()
          .await(60, TimeUnit.SECONDS));
      }
      Vertx node = nodes.get(0);
      System.out.printf("registry churn: %d consumers, %d registrations in flight, 2 Hazelcast members on loopback%n", count, inFlight);
      for (int round = 1; round <= 2; round++) {
        long local = time(node, count, inFlight, true);
        long clustered = time(node, count, inFlight, false);
        System.out.printf("  round %d: local consumers %6d ms (%8.0f/s)   cluster-wide consumers %6d ms (%8.0f/s)%n",
          round, local, count * 1000.0 / Math.max(1, local), clustered, count * 1000.0 / Math.max(1, clustered));
      }
    } finally {
      for (Vertx vertx : nodes) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Registers {@code count} consumers, at most {@code inFlight} unconfirmed, then removes them; ms to register. */
  private static long time(Vertx vertx, int count, int inFlight, boolean local) throws Exception {
    List<MessageConsumer<Object>> consumers = new ArrayList<>(count);
    long start = System.nanoTime();
    List<Future<Void>> window = new ArrayList<>(inFlight);
    for (int i = 0; i < count; i++) {
      String address = "room.client-" + UUID.randomUUID();
      MessageConsumer<Object> consumer = local
        ? vertx.eventBus().localConsumer(address, m -> { })
        : vertx.eventBus().consumer(address, m -> { });
      consumers.add(consumer);
      window.add(consumer.completion());
      if (window.size() == inFlight) {
        Future.all(window).await(120, TimeUnit.SECONDS);
        window.clear();
      }
    }
    Future.all(window).await(120, TimeUnit.SECONDS);
    long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    List<Future<Void>> gone = new ArrayList<>();
    consumers.forEach(c -> gone.add(c.unregister()));
    Future.all(gone).await(120, TimeUnit.SECONDS);
    return elapsed;
  }
}
