package io.parley.launcher;

import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.launcher.application.HookContext;
import io.vertx.launcher.application.VertxApplication;
import io.vertx.launcher.application.VertxApplicationHooks;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar parley.jar [-conf FILE] [-cluster]}: the Vert.x 5 launcher, with Micrometer
 * metrics (Prometheus) on, and Hazelcast clustering when {@code -cluster} is given or the
 * configuration says {@code cluster: true} ({@code PARLEY_CLUSTER=true}).
 */
public final class ParleyLauncher extends VertxApplication {

  public static void main(String[] args) {
    JsonObject config = ParleyConfig.loadBlocking(confArgument(args), System.getenv());
    ClusterOptions cluster = ClusterOptions.fromConfig(config);
    List<String> arguments = new ArrayList<>(Arrays.asList(args));
    boolean clustered = cluster.enabled() || arguments.contains("-cluster") || arguments.contains("--cluster");
    if (clustered && !arguments.contains("-cluster") && !arguments.contains("--cluster")) {
      arguments.add("-cluster");
    }
    int code = new ParleyLauncher(arguments.toArray(String[]::new), cluster, clustered).launch();
    if (code != 0) {
      System.exit(code);
    }
  }

  private ParleyLauncher(String[] args, ClusterOptions cluster, boolean clustered) {
    super(args, new Hooks(cluster, clustered), true, true);
  }

  private static final String PREFER_NATIVE_TRANSPORT = "vertx.options.preferNativeTransport";

  /**
   * A node's transport: Netty's epoll where it loads (Linux), unless
   * {@code -Dvertx.options.preferNativeTransport} says otherwise (false keeps NIO).
   */
  public static VertxOptions withNodeTransport(VertxOptions options) {
    if (System.getProperty(PREFER_NATIVE_TRANSPORT) == null) {
      options.setPreferNativeTransport(true);
    }
    return options;
  }

  private record Hooks(ClusterOptions cluster, boolean clustered) implements VertxApplicationHooks {
    @Override
    public void beforeStartingVertx(HookContext context) {
      context.vertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
      if (clustered) {
        context.vertxOptions().getEventBusOptions().setHost(cluster.host()).setPort(0);
      }
      withNodeTransport(context.vertxOptions());
    }

    @Override
    public VertxBuilder createVertxBuilder(VertxOptions options) {
      VertxBuilder builder = Vertx.builder().with(options);
      return clustered ? builder.withClusterManager(cluster.clusterManager()) : builder;
    }
  }

  /** The {@code -conf} value, as the Vert.x launcher reads it: a JSON string or a file. */
  static JsonObject confArgument(String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("-conf") || args[i].equals("--conf")) {
        String value = args[i + 1].trim();
        try {
          return new JsonObject(value.startsWith("{") ? value : Files.readString(Path.of(value)));
        } catch (Exception e) {
          throw new IllegalArgumentException("-conf " + value + ": not a JSON object or readable JSON file: " + e.getMessage(), e);
        }
      }
    }
    return new JsonObject();
  }
}
