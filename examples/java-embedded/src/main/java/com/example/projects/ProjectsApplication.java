package com.example.projects;

import io.parley.Parley;
import io.parley.shared.RealtimeService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

/**
 * A Vert.x application with Parley inside it: the application decides who joins its project
 * rooms ({@link ProjectAccess}) and tells every member's browser about what happens in a project
 * through Parley's {@link RealtimeService}.
 */
public final class ProjectsApplication {

  private final Parley parley;

  private ProjectsApplication(Parley parley) {
    this.parley = parley;
  }

  /**
   * Starts the application on {@code vertx}: its room policy first, so it answers from the
   * first join on, then Parley with the room policy on the bus and {@code parleyConfig} (any of
   * Parley's configuration keys) over Parley's defaults.
   */
  public static Future<ProjectsApplication> start(Vertx vertx, Map<String, Set<String>> membersByProject, JsonObject parleyConfig) {
    JsonObject config = new JsonObject().put("rooms", new JsonObject().put("policy", "bus")).mergeIn(parleyConfig, true);
    return vertx.deployVerticle(new ProjectAccess(membersByProject))
      .compose(policy -> Parley.deploy(vertx, config))
      .map(ProjectsApplication::new);
  }

  /** A domain action: the members of the project see the task completed, live. */
  public Future<RealtimeService.Published> completeTask(String projectId, String task) {
    // ... the application's own bookkeeping would go here, then:
    return parley.realtime().trigger(ProjectAccess.ROOM_PREFIX + projectId, "task.completed", new JsonObject().put("task", task));
  }

  /** The port browsers connect to. */
  public int httpPort() {
    return parley.httpPort();
  }

  public Future<Void> stop() {
    return parley.close();
  }

  /** {@code java -cp ... com.example.projects.ProjectsApplication}: on port 8080, ann and bob in project apollo. */
  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    start(vertx, Map.of("apollo", Set.of("ann", "bob")), new JsonObject())
      .onSuccess(app -> System.out.println("projects up on port " + app.httpPort()))
      .onFailure(failure -> {
        failure.printStackTrace();
        vertx.close();
      });
  }
}
