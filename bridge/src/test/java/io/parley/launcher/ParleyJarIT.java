package io.parley.launcher;

import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged {@code parley.jar}, started the way the README does, with the JVM options of
 * {@code conf/jvm.options} and Vert.x launcher conventions: {@code -conf FILE} layered over the
 * embedded default, {@code PARLEY_*} on top.
 */
class ParleyJarIT {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void the_jar_starts_with_a_conf_file_and_environment_overrides() throws Exception {
    int port = TestNode.freePort();
    Path conf = Files.createTempFile("parley", ".json");
    Files.writeString(conf, new JsonObject().put("http", new JsonObject().put("host", "127.0.0.1")).encode());
    Path log = Files.createTempFile("parley", ".log");
    ProcessBuilder builder = new ProcessBuilder(List.of(javaExecutable(), "@" + System.getProperty("parley.jvm.options"),
      "-jar", System.getProperty("parley.jar"), "-conf", conf.toString()))
      .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("PARLEY_HTTP_PORT", String.valueOf(port));
    builder.environment().put("PARLEY_AUTH_TIMEOUT_MS", "4321");
    Process process = builder.start();
    try {
      HttpResponse<String> health = awaitHealth(port, process, log);
      assertThat(health.body()).contains("\"outcome\":\"UP\"");
      JsonObject clientConfig = new JsonObject(get(port, "/client-config").body());
      assertThat(clientConfig.getLong("authTimeoutMs")).isEqualTo(4321);
      HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/auth/dev-token"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"ann\"}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(token.statusCode()).isEqualTo(200);
      assertThat(get(port, "/").body()).contains("Parley");
      // Parley's own (SLF4J) logs reach the output; on Linux the node runs Netty's epoll transport
      awaitLogLine(log, "Parley node up on port " + port + ", native (epoll) transport");
      // conf/jvm.options: the JIT compiler compiles in the time the event loops leave idle
      Map<String, Integer> nice = niceByThread(process.pid());
      assertThat(nice).containsEntry("C2 CompilerThre", 19).containsEntry("C1 CompilerThre", 19)
        .containsEntry("vert.x-eventloo", 0);
    } finally {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      Files.deleteIfExists(conf);
      Files.deleteIfExists(log);
    }
  }

  /** Each thread's nice value by its (15-character) Linux thread name, from /proc. */
  private static Map<String, Integer> niceByThread(long pid) throws IOException {
    Map<String, Integer> nice = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : tasks.toList()) {
        String stat = Files.readString(task.resolve("stat"));
        // "tid (name) state ppid ...": the name may hold spaces; nice is the 19th field
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        nice.put(name, Integer.parseInt(fields[16]));
      }
    }
    return nice;
  }

  private static void awaitLogLine(Path log, String line) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.readString(log).contains(line)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no '" + line + "' in the jar's output:\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
  }

  private HttpResponse<String> awaitHealth(int port, Process process, Path log) throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("parley.jar exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HttpResponse<String> health = get(port, "/health");
        if (health.statusCode() == 200) {
          return health;
        }
      } catch (IOException notYetListening) {
        // the node is still starting: poll again, within the deadline
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no healthy node within " + START_TIMEOUT + ":\n" + Files.readString(log));
  }

  private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
      HttpResponse.BodyHandlers.ofString());
  }


  private static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
