package io.parley.cluster;

import io.parley.testing.TestNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parley nodes as separate JVM processes of {@code bridge/target/parley.jar} (the failsafe ITs
 * pass its path as {@code parley.jar}), clustered with Hazelcast on loopback and sharing Redis
 * under a key prefix of their own, so that a test can kill one with {@code kill -9}. Closing stops
 * every node, deletes their logs and the Redis keys under the prefix.
 */
final class NodeProcesses implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** One node: its HTTP port, its process and the file its output goes to. */
  record Node(int port, Process process, Path log) {

    /** {@code kill -9}: the JVM gets no chance to say goodbye. */
    void kill() throws InterruptedException {
      process.destroyForcibly();   // SIGKILL
      assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("the killed node's process ended").isTrue();
    }

    String output() {
      try {
        return Files.readString(log);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String cluster;
  private final List<Node> nodes = new ArrayList<>();

  /** A fresh cluster named {@code name-<random>}, with a Redis prefix of the same name. */
  NodeProcesses(String name) {
    this.cluster = name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  String redisPrefix() {
    return "test:" + cluster + ":";
  }

  /**
   * Starts {@code count} clustered nodes, with {@code env} ({@code PARLEY_*} variables) over the
   * cluster's own settings, and waits until each answers {@code /health}.
   */
  List<Node> start(int count, Map<String, String> env) throws Exception {
    int[] hazelcast = IntStream.range(0, count).map(i -> TestNode.freePort()).toArray();
    String members = IntStream.of(hazelcast).mapToObj(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    List<Node> started = new ArrayList<>();
    for (int port : hazelcast) {
      started.add(startNode(port, members, env));
    }
    for (Node node : started) {
      awaitHealthy(node);
    }
    return started;
  }

  private Node startNode(int hazelcastPort, String members, Map<String, String> env) throws IOException {
    Path log = Files.createTempFile("parley-node", ".log");
    int httpPort = TestNode.freePort();
    ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-Xmx256m", "-jar", System.getProperty("parley.jar")))
      .redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> settings = new HashMap<>(Map.of(
      "PARLEY_CLUSTER", "true",
      "PARLEY_HAZELCAST_CLUSTER_NAME", cluster,
      "PARLEY_HAZELCAST_PORT", String.valueOf(hazelcastPort),
      "PARLEY_HAZELCAST_MEMBERS", members,
      "PARLEY_HTTP_PORT", String.valueOf(httpPort),
      "PARLEY_HTTP_HOST", "127.0.0.1",
      "PARLEY_REDIS_URI", System.getProperty("parley.redis.uri", "redis://127.0.0.1:6379"),
      "PARLEY_REDIS_PREFIX", redisPrefix(),
      // rooms and auth are what these tests are about; locks and notifications would need Postgres
      "PARLEY_DEPLOYMENT_LOCKS", "0",
      "PARLEY_DEPLOYMENT_NOTIFICATIONS", "0"));
    settings.putAll(env);
    builder.environment().putAll(settings);
    Node node = new Node(httpPort, builder.start(), log);
    nodes.add(node);
    return node;
  }

  private void awaitHealthy(Node node) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!node.process().isAlive()) {
        throw new AssertionError("node exited with " + node.process().exitValue() + ":\n" + node.output());
      }
      try {
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (IOException starting) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node on " + node.port() + " not healthy in " + START_TIMEOUT + ":\n" + node.output());
  }

  @Override
  public void close() throws Exception {
    for (Node node : nodes) {
      node.process().destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    for (Node node : nodes) {
      Files.deleteIfExists(node.log());
    }
    io.parley.shared.TestRedis.deleteKeys(redisPrefix());
  }
}
