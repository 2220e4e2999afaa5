package com.example.kotlin

import io.parley.testing.BridgeClient
import io.parley.testing.DevTokens
import io.vertx.core.Vertx
import io.vertx.core.json.JsonObject
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import java.io.File
import java.net.ServerSocket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.nio.file.Files
import java.time.Duration
import java.util.UUID
import java.util.concurrent.TimeUnit

/**
 * Composition by configuration, as an operator runs it: `java -cp parley.jar:projects-verticle.jar
 * io.parley.launcher.ParleyLauncher -conf projects.json`, the verticle named in the file's
 * `deployment.verticles`.
 */
class ProjectsVerticleJarIT {

  private val http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()

  @Test
  fun `parley jar and the verticle jar run together from a conf file`() {
    val port = ServerSocket(0).use { it.localPort }
    val conf = Files.createTempFile("projects", ".json")
    Files.writeString(conf, """
      {"http": {"port": $port, "host": "127.0.0.1"},
       "rooms": {"policy": "bus"},
       "deployment": {"verticles": [{"class": "com.example.kotlin.ProjectsVerticle", "instances": 2,
                                     "config": {"members": {"apollo": ["ann"]}}}]}}
    """.trimIndent())
    val log = Files.createTempFile("projects", ".log")
    val java = File(System.getProperty("java.home"), "bin/java").path
    val classpath = System.getProperty("parley.jar") + File.pathSeparator + System.getProperty("app.jar")
    val process = ProcessBuilder(java, "-cp", classpath, "io.parley.launcher.ParleyLauncher", "-conf", conf.toString())
      .redirectErrorStream(true).redirectOutput(log.toFile()).start()
    val vertx = Vertx.vertx()
    try {
      awaitHealthy(port, process) { Files.readString(log) }
      signIn(vertx, port, "ann").use { ann ->
        val state = ann.join("project-apollo")
        assertThat(state.getJsonArray("members")).hasSize(1)
      }
      signIn(vertx, port, "bob").use { bob ->
        bob.register("room.project-apollo")
        assertThat(bob.nextRefusal("room.project-apollo").getInteger("failureCode")).isEqualTo(403)
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS)
      process.destroy()
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly()
      }
      Files.deleteIfExists(conf)
      Files.deleteIfExists(log)
    }
  }

  private fun signIn(vertx: Vertx, port: Int, userId: String): BridgeClient {
    val client = BridgeClient.connect(vertx, port, BridgeClient.Transport.RAW)
    client.request("auth.authenticate", JsonObject()
      .put("token", DevTokens.issue(port, userId))
      .put("sessionId", UUID.randomUUID().toString()))
    return client
  }

  private fun awaitHealthy(port: Int, process: Process, output: () -> String) {
    val deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos()
    val health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:$port/health")).timeout(Duration.ofSeconds(5)).build()
    while (System.nanoTime() < deadline) {
      check(process.isAlive) { "the node exited with ${process.exitValue()}:\n${output()}" }
      val status = try {
        http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode()
      } catch (notYetListening: java.io.IOException) {
        0
      }
      if (status == 200) {
        return
      }
      Thread.sleep(200)
    }
    throw AssertionError("no healthy node within 60 s:\n${output()}")
  }
}
