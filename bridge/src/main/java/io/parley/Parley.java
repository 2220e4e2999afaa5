package io.parley;

import io.parley.launcher.ParleyNode;
import io.parley.shared.RealtimeService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.Map;

/**
 * Parley inside your own Vert.x application: one node (its stores, its verticles, its HTTP
 * server and bridge) deployed on your {@link Vertx}, from the same configuration the jar reads.
 *
 * <pre>{@code
 * Parley parley = Parley.deploy(vertx, new JsonObject().put("http", new JsonObject().put("port", 8080)))
 *   .await();
 * parley.realtime().trigger("board-42", "task.update", new JsonObject().put("id", 7));
 * }</pre>
 *
 * See {@code docs/toolkit.md}.
 */
public final class Parley {

  private final Vertx vertx;
  private final String deploymentId;
  private final ParleyNode node;

  private Parley(Vertx vertx, String deploymentId, ParleyNode node) {
    this.vertx = vertx;
    this.deploymentId = deploymentId;
    this.node = node;
  }

  /**
   * Deploys a node with {@code config} deep-merged over the embedded {@code conf/default.json}.
   * The environment is not read: what the application passes is what the node runs with.
   */
  public static Future<Parley> deploy(Vertx vertx, JsonObject config) {
    return deploy(vertx, config, Map.of());
  }

  /**
   * The same, with {@code PARLEY_*} overrides from {@code env} on top, as the jar applies them
   * ({@code System.getenv()} for the process's environment).
   */
  public static Future<Parley> deploy(Vertx vertx, JsonObject config, Map<String, String> env) {
    ParleyNode node = new ParleyNode(Clock.systemUTC(), env);
    return vertx.deployVerticle(node, new DeploymentOptions().setConfig(config.copy()))
      .map(id -> new Parley(vertx, id, node));
  }

  /** Publish to rooms and notify topics from the application's code. */
  public RealtimeService realtime() {
    return node.realtime();
  }

  /** The port the HTTP server listens on (the actual one with {@code http.port: 0}); -1 when {@code deployment.http} is 0. */
  public int httpPort() {
    return node.httpPort();
  }

  /** The node's deployment: the parent of every verticle it deployed, the application's listed ones too. */
  public String deploymentId() {
    return deploymentId;
  }

  /** Undeploys every verticle the node deployed and closes its stores; the Vert.x instance stays the application's. */
  public Future<Void> close() {
    return vertx.undeploy(deploymentId);
  }
}
