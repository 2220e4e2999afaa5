package io.parley.testing;

import io.parley.launcher.ClusterOptions;
import io.parley.launcher.ParleyNode;
import io.parley.launcher.ParleyLauncher;
import io.parley.shared.TestPostgres;
import io.parley.shared.TestRedis;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real Parley node for tests: its own Vert.x, the embedded default configuration with the
 * given overrides, an HTTP server on a free loopback port.
 */
public final class TestNode implements AutoCloseable {

  private final Vertx vertx;
  private final ParleyNode node;
  /** What this node shares with the rest of its test cluster, removed by the last of them to close. */
  private Shared shared;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private TestNode(Vertx vertx, ParleyNode node) {
    this.vertx = vertx;
    this.node = node;
  }

  /** Vert.x on the transport {@code parley.jar} picks, so the tests run what a node runs. */
  public static VertxOptions nodeOptions() {
    return ParleyLauncher.withNodeTransport(new VertxOptions());
  }

  public static TestNode start(JsonObject overrides) {
    return start(overrides, Map.of());
  }

  public static TestNode start(JsonObject overrides, Map<String, String> env) {
    return deploy(Vertx.vertx(nodeOptions()), overrides, env);
  }

  /**
   * A member of a real Hazelcast cluster on loopback (TCP-IP join, multicast off) with Redis and
   * Postgres stores: {@code cluster} names the cluster, the Redis key prefix and the Postgres
   * schema (deleted and dropped when the cluster's last node closes), so test clusters never meet;
   * {@code port} is this member's Hazelcast port and {@code members} everyone's. A {@code pg}
   * section in {@code overrides} replaces the schema chosen here.
   */
  public static TestNode startClustered(String cluster, int port, List<String> members, JsonObject overrides) {
    JsonObject config = new JsonObject()
      .put("cluster", true)
      .put("hazelcast", new JsonObject().put("clusterName", cluster).put("port", port).put("members", new JsonArray(members)))
      .put("redis", new JsonObject().put("uri", REDIS_URI).put("prefix", "test:" + cluster + ":"))
      .put("pg", new JsonObject().put("uri", TestPostgres.URI).put("schema", schemaOf(cluster)))
      .mergeIn(overrides, true);
    Shared own = new Shared(overrides.containsKey("pg") ? null : schemaOf(cluster),
      overrides.containsKey("redis") ? null : "test:" + cluster + ":");
    ClusterOptions options = ClusterOptions.fromConfig(config);
    VertxOptions vertxOptions = nodeOptions();
    vertxOptions.getEventBusOptions().setHost("127.0.0.1").setPort(0);
    Vertx vertx = await(Vertx.builder().with(vertxOptions).withClusterManager(options.clusterManager()).buildClustered(), "cluster join");
    return owning(own, () -> deploy(vertx, config, Map.of()));
  }

  /** A single node with Postgres stores in a fresh schema of its own, dropped when it closes. */
  public static TestNode startWithPostgres(JsonObject overrides) {
    String schema = TestPostgres.freshSchemaName();
    JsonObject config = new JsonObject()
      .put("pg", new JsonObject().put("uri", TestPostgres.URI).put("schema", schema))
      .mergeIn(overrides, true);
    return owning(new Shared(schema, null), () -> deploy(Vertx.vertx(nodeOptions()), config, Map.of()));
  }

  /**
   * {@code size} members of a new test cluster named {@code <name>-<random>}, each with
   * {@code overrides}, started one after another (see {@link #startClustered}).
   */
  public static List<TestNode> startCluster(String name, int size, JsonObject overrides) {
    String cluster = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    int[] ports = java.util.stream.IntStream.range(0, size).map(i -> freePort()).toArray();
    List<TestNode> nodes = new java.util.ArrayList<>();
    for (int port : ports) {
      nodes.add(startClustered(cluster, port, members(ports), overrides));
    }
    return nodes;
  }

  /**
   * What the nodes of one test cluster share: a Postgres schema and a Redis key prefix (either
   * null when the test chose its own). The last node to close drops the schema and deletes the keys.
   */
  private record Shared(String schema, String redisPrefix) {
    void remove() {
      if (schema != null) {
        TestPostgres.dropSchema(schema);
      }
      if (redisPrefix != null) {
        TestRedis.deleteKeys(redisPrefix);
      }
    }
  }

  /** Nodes per test cluster: the last one to close removes what they shared. */
  private static final Map<Shared, Integer> SHARED_USERS = new java.util.concurrent.ConcurrentHashMap<>();

  /** Starts a node that shares {@code shared} with the others using it; the last to close removes it. */
  private static TestNode owning(Shared shared, java.util.function.Supplier<TestNode> start) {
    SHARED_USERS.merge(shared, 1, Integer::sum);
    try {
      TestNode node = start.get();
      node.shared = shared;
      return node;
    } catch (RuntimeException e) {
      release(shared);
      throw e;
    }
  }

  private static String schemaOf(String cluster) {
    String name = "test_" + cluster.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return name.length() > 63 ? name.substring(0, 63) : name;
  }

  private static void release(Shared shared) {
    if (shared != null && SHARED_USERS.merge(shared, -1, Integer::sum) <= 0) {
      SHARED_USERS.remove(shared);
      shared.remove();
    }
  }

  public static final String REDIS_URI = System.getProperty("parley.redis.uri", "redis://127.0.0.1:6379");

  /** A loopback port nothing listens on right now, for a Hazelcast member or a server. */
  public static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Hazelcast member addresses for {@code ports} on loopback. */
  public static List<String> members(int... ports) {
    return java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).toList();
  }

  private static <T> T await(io.vertx.core.Future<T> future, String what) {
    try {
      return future.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Starts a node and, once its HTTP server listens but before its start has completed (while it
   * warms up, {@code bridge.warmUp}), hands it to {@code whileStarting}; returns it started.
   */
  public static TestNode start(JsonObject overrides, java.util.function.Consumer<TestNode> whileStarting) {
    return deploy(Vertx.vertx(nodeOptions()), overrides, Map.of(), whileStarting);
  }

  private static TestNode deploy(Vertx vertx, JsonObject overrides, Map<String, String> env) {
    return deploy(vertx, overrides, env, null);
  }

  private static TestNode deploy(Vertx vertx, JsonObject overrides, Map<String, String> env,
                                 java.util.function.Consumer<TestNode> whileStarting) {
    ParleyNode node = new ParleyNode(Clock.systemUTC(), env);
    JsonObject config = new JsonObject().put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))
      .mergeIn(noWarmUp(), true)
      .mergeIn(overrides, true);
    try {
      io.vertx.core.Future<String> deployed = vertx.deployVerticle(node, new DeploymentOptions().setConfig(config));
      if (whileStarting != null) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (node.httpPort() < 0 && !deployed.isComplete() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        if (deployed.isComplete() || node.httpPort() < 0) {
          throw new IllegalStateException("the node's start completed (or never listened) before it could be watched starting");
        }
        whileStarting.accept(new TestNode(vertx, node));
      }
      deployed.await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("node did not start: " + e.getMessage(), e);
    }
    return new TestNode(vertx, node);
  }

  public static TestNode start() {
    return start(new JsonObject());
  }

  public Vertx vertx() {
    return vertx;
  }

  public ParleyNode node() {
    return node;
  }

  /** The Postgres schema this node's stores use, when TestNode chose it (null otherwise). */
  public String schema() {
    return shared == null ? null : shared.schema();
  }

  public int port() {
    return node.httpPort();
  }

  /** A dev token for {@code userId}, with optional {@code orgs}/{@code boards}/{@code ttlSeconds}. */
  public String token(String userId, JsonObject extra) {
    return DevTokens.issue(port(), userId, extra);
  }

  public String token(String userId) {
    return token(userId, new JsonObject());
  }

  /** The TCP event-bus bridge's port; the node must have been started with {@link #TCP} (or a tcp.port). */
  public int tcpPort() {
    int port = node.tcpPort();
    if (port < 0) {
      throw new AssertionError("this node has no TCP endpoint: start it with tcp.port set");
    }
    return port;
  }

  /**
   * The overrides that turn the node's warm-up (FanOutWarmUp) off: every node here starts without
   * it unless a test asks for one, since its sockets and deliveries would count in what tests measure.
   */
  public static JsonObject noWarmUp() {
    return new JsonObject().put("bridge", new JsonObject().put("warmUp", new JsonObject().put("messages", 0)));
  }

  /** The overrides that open the TCP endpoint on a free loopback port. */
  public static final JsonObject TCP = new JsonObject().put("tcp", new JsonObject().put("port", 0).put("host", "127.0.0.1"));

  public TcpBridgeClient connectTcp() {
    return TcpBridgeClient.connect(tcpPort());
  }

  /** A TCP connection authenticated as a service with {@code apiKey}. */
  public TcpBridgeClient service(String apiKey) {
    TcpBridgeClient client = connectTcp();
    client.authenticateService(apiKey);
    return client;
  }

  public BridgeClient connect(BridgeClient.Transport transport) {
    return BridgeClient.connect(vertx, port(), transport);
  }

  public BridgeClient connect() {
    return connect(BridgeClient.Transport.SOCKJS);
  }

  /** A connected, authenticated client for a new tab of {@code userId}. */
  public BridgeClient signIn(String userId, JsonObject claims) {
    return signIn(userId, claims, UUID.randomUUID().toString());
  }

  public BridgeClient signIn(String userId) {
    return signIn(userId, new JsonObject());
  }

  /** Signs in with a given sessionId, as a tab reconnecting would. */
  public BridgeClient signIn(String userId, JsonObject claims, String sessionId) {
    return signIn(userId, claims, sessionId, BridgeClient.Transport.SOCKJS);
  }

  public BridgeClient signIn(String userId, JsonObject claims, String sessionId, BridgeClient.Transport transport) {
    BridgeClient client = connect(transport);
    client.request("auth.authenticate", new JsonObject().put("token", token(userId, claims)).put("sessionId", sessionId));
    return client;
  }

  public static JsonObject boards(String... ids) {
    return new JsonObject().put("boards", new JsonArray(java.util.List.of(ids)));
  }

  public record HttpResult(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public HttpResult get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET().build());
  }

  public HttpResult post(String path, JsonObject body, String bearer) {
    return post(path, body.encode(), bearer);
  }

  /** Any text as a JSON request's body, for malformed-body tests. */
  public HttpResult post(String path, String body, String bearer) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
      .POST(HttpRequest.BodyPublishers.ofString(body))
      .header("content-type", "application/json");
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return send(request.build());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  private HttpResult send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new HttpResult(response.statusCode(), response.body());
    } catch (Exception e) {
      throw new AssertionError("HTTP " + request.uri() + " failed", e);
    }
  }

  @Override
  public void close() {
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      release(shared);
      shared = null;
    }
  }
}
