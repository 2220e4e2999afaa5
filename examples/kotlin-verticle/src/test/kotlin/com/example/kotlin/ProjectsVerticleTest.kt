package com.example.kotlin

import io.parley.Parley
import io.parley.testing.BridgeClient
import io.parley.testing.DevTokens
import io.vertx.core.Vertx
import io.vertx.core.json.JsonArray
import io.vertx.core.json.JsonObject
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.util.UUID
import java.util.concurrent.TimeUnit

/** The verticle deployed by class name beside Parley's, met by browsers on a real websocket. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProjectsVerticleTest {

  private val vertx = Vertx.vertx()
  private lateinit var parley: Parley

  @BeforeAll
  fun start() {
    val config = JsonObject()
      .put("http", JsonObject().put("port", 0).put("host", "127.0.0.1"))
      .put("rooms", JsonObject().put("policy", "bus"))
      .put("deployment", JsonObject().put("verticles", JsonArray().add(JsonObject()
        .put("class", "com.example.kotlin.ProjectsVerticle")
        .put("instances", 2)
        .put("config", JsonObject().put("members", JsonObject().put("apollo", JsonArray().add("ann")))))))
    parley = Parley.deploy(vertx, config).await(30, TimeUnit.SECONDS)
  }

  @AfterAll
  fun stop() {
    vertx.close().await(30, TimeUnit.SECONDS)
  }

  private fun signIn(userId: String): BridgeClient {
    val client = BridgeClient.connect(vertx, parley.httpPort(), BridgeClient.Transport.RAW)
    client.request("auth.authenticate", JsonObject()
      .put("token", DevTokens.issue(parley.httpPort(), userId))
      .put("sessionId", UUID.randomUUID().toString()))
    return client
  }

  @Test
  fun `a project member joins its room and sees a task completed`() {
    signIn("ann").use { ann ->
      ann.join("project-apollo")
      vertx.eventBus().request<JsonObject>(ProjectsVerticle.COMPLETE_TASK,
        JsonObject().put("project", "apollo").put("task", "ship the beta")).await(10, TimeUnit.SECONDS)
      val seen = ann.envelopesUntil("room.project-apollo", "task.completed")
      assertThat(seen.last().getJsonObject("data").getString("task")).isEqualTo("ship the beta")
    }
  }

  @Test
  fun `someone outside the project is refused with 403`() {
    signIn("bob").use { bob ->
      bob.register("room.project-apollo")
      assertThat(bob.nextRefusal("room.project-apollo").getInteger("failureCode")).isEqualTo(403)
    }
  }
}
