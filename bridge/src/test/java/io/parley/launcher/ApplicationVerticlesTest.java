package io.parley.launcher;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A node composed with the application's own verticles, named by class in {@code deployment.verticles}. */
class ApplicationVerticlesTest {

  private static JsonObject withVerticles(Object... entries) {
    return new JsonObject().put("deployment", new JsonObject().put("verticles", new JsonArray(List.of(entries))));
  }

  @Test
  void a_listed_verticle_class_runs_its_instances_with_its_config_after_parleys_verticles() {
    JsonObject greeting = new JsonObject().put("class", GreetingVerticle.class.getName()).put("instances", 2)
      .put("config", new JsonObject().put("room", "user-ann").put("greeting", "hello from the app"));
    try (TestNode node = TestNode.start(withVerticles(greeting))) {
      List<JsonObject> started = greetingsIn(node);
      assertThat(started).as("one publish per instance, each made once rooms.publish answered")
        .extracting(data -> data.getString("greeting")).containsExactly("hello from the app", "hello from the app");
      assertThat(started).extracting(data -> data.getString("deploymentId")).as("both instances of one deployment")
        .containsOnly(started.get(0).getString("deploymentId"));
    }
  }

  @Test
  void the_environment_can_list_verticles_by_class_name_alone() {
    Map<String, String> env = Map.of("PARLEY_DEPLOYMENT_VERTICLES", GreetingVerticle.class.getName());
    try (TestNode node = TestNode.start(new JsonObject(), env)) {
      assertThat(greetingsIn(node)).as("one instance, empty config").extracting(data -> data.getString("greeting"))
        .containsExactly("hello");
    }
  }

  /** The data of the {@code app.started} events in user-ann's history, as ann reads it. */
  private static List<JsonObject> greetingsIn(TestNode node) {
    try (BridgeClient ann = node.signIn("ann")) {
      ann.join("user-ann");
      JsonObject history = ann.request("rooms.history", new JsonObject().put("room", "user-ann").put("sinceOffset", 0));
      return history.getJsonArray("events").stream().map(JsonObject.class::cast)
        .filter(envelope -> envelope.getString("event").equals("app.started")).map(envelope -> envelope.getJsonObject("data")).toList();
    }
  }

  @Test
  void a_class_that_is_not_on_the_classpath_fails_the_start_naming_it() {
    assertThatThrownBy(() -> TestNode.start(withVerticles(new JsonObject().put("class", "com.example.Ordrs"))))
      .hasMessageContaining("deployment.verticles[0]: verticle class com.example.Ordrs is not on the classpath");
  }

  @Test
  void a_verticle_whose_start_fails_fails_the_node_start_naming_it() {
    assertThatThrownBy(() -> TestNode.start(withVerticles(FailingVerticle.class.getName())))
      .hasMessageContaining(FailingVerticle.class.getName() + " failed to start: orders database unreachable");
  }

  @Test
  void malformed_entries_are_refused_with_what_is_expected() {
    assertThatThrownBy(() -> ApplicationVerticles.fromConfig(new JsonObject().put("verticles", "com.example.Orders")))
      .hasMessageContaining("deployment.verticles must be a list");
    assertThatThrownBy(() -> ApplicationVerticles.fromConfig(withVerticles(
      new JsonObject().put("class", GreetingVerticle.class.getName()).put("instances", 0)).getJsonObject("deployment")))
      .hasMessageContaining("deployment.verticles[0].instances (" + GreetingVerticle.class.getName() + ") must be a whole number from 1");
    assertThatThrownBy(() -> ApplicationVerticles.fromConfig(withVerticles(
      new JsonObject().put("class", GreetingVerticle.class.getName()).put("instance", 2)).getJsonObject("deployment")))
      .hasMessageContaining("unknown keys [instance]");
    assertThatThrownBy(() -> ApplicationVerticles.fromConfig(withVerticles(
      new JsonObject().put("class", GreetingVerticle.class.getName()).put("threading", "worker")).getJsonObject("deployment")))
      .hasMessageContaining(".threading (" + GreetingVerticle.class.getName() + ") must be one of [EVENT_LOOP, WORKER, VIRTUAL_THREAD]");
    assertThatThrownBy(() -> ApplicationVerticles.fromConfig(withVerticles(String.class.getName()).getJsonObject("deployment")))
      .hasMessageContaining("java.lang.String is not a verticle");
  }
}
