package com.example.projects;

import io.parley.testing.BridgeClient;
import io.parley.testing.DevTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The application as its users meet it: browsers on a real websocket to the Parley it embeds. */
class ProjectsApplicationTest {

  private static Vertx vertx;
  private static ProjectsApplication app;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    app = ProjectsApplication.start(vertx, Map.of("apollo", Set.of("ann")),
      new JsonObject().put("http", new JsonObject().put("port", 0).put("host", "127.0.0.1"))).await(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    app.stop().await(30, TimeUnit.SECONDS);
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static BridgeClient signIn(String userId) {
    BridgeClient client = BridgeClient.connect(vertx, app.httpPort(), BridgeClient.Transport.RAW);
    client.request("auth.authenticate", new JsonObject().put("token", DevTokens.issue(app.httpPort(), userId))
      .put("sessionId", UUID.randomUUID().toString()));
    return client;
  }

  @Test
  void a_project_member_joins_its_room_and_sees_a_task_completed() throws Exception {
    try (BridgeClient ann = signIn("ann")) {
      ann.join("project-apollo");
      app.completeTask("apollo", "write the launch post").await(10, TimeUnit.SECONDS);
      List<JsonObject> seen = ann.envelopesUntil("room.project-apollo", "task.completed");
      assertThat(seen.get(seen.size() - 1).getJsonObject("data").getString("task")).isEqualTo("write the launch post");
    }
  }

  @Test
  void someone_outside_the_project_is_refused_with_403() {
    try (BridgeClient bob = signIn("bob")) {
      bob.register("room.project-apollo");
      assertThat(bob.nextRefusal("room.project-apollo").getInteger("failureCode")).isEqualTo(403);
    }
  }
}
