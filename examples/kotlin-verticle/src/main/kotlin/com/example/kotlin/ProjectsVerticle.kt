package com.example.kotlin

import io.vertx.core.eventbus.Message
import io.vertx.core.json.JsonObject
import io.vertx.kotlin.coroutines.CoroutineVerticle
import io.vertx.kotlin.coroutines.coAwait
import kotlinx.coroutines.launch

/**
 * An application's verticle, deployed by Parley from its configuration:
 *
 * ```json
 * "deployment": {"verticles": [{"class": "com.example.kotlin.ProjectsVerticle", "instances": 2,
 *                               "config": {"members": {"apollo": ["ann", "bob"]}}}]},
 * "rooms": {"policy": "bus"}
 * ```
 *
 * It decides who joins `project-<id>` rooms (`rooms.authorize`, from its config's members) and,
 * on `projects.completeTask {project, task}` from the rest of the application, publishes the
 * domain event `task.completed` to the project's room through `rooms.publish`.
 */
class ProjectsVerticle : CoroutineVerticle() {

  private lateinit var members: Map<String, Set<String>>

  override suspend fun start() {
    val configured = config.getJsonObject("members", JsonObject())
    members = configured.fieldNames().associateWith { project ->
      configured.getJsonArray(project).map { it as String }.toSet()
    }
    val bus = vertx.eventBus()
    bus.consumer<JsonObject>("rooms.authorize") { question -> authorize(question) }.completion().coAwait()
    bus.consumer<JsonObject>(COMPLETE_TASK) { request -> launch { completeTask(request) } }.completion().coAwait()
  }

  private fun authorize(question: Message<JsonObject>) {
    val room = question.body().getString("room")
    val userId = question.body().getString("userId")
    val allowed = room.startsWith(ROOM_PREFIX) && userId in members[room.removePrefix(ROOM_PREFIX)].orEmpty()
    question.reply(JsonObject().put("allowed", allowed))
  }

  private suspend fun completeTask(request: Message<JsonObject>) {
    val project = request.body().getString("project")
    val task = request.body().getString("task")
    try {
      // a publish from server code: a server event, no "from", delivered to every member
      val published = vertx.eventBus().request<JsonObject>("rooms.publish", JsonObject()
        .put("room", ROOM_PREFIX + project)
        .put("event", "task.completed")
        .put("data", JsonObject().put("task", task))).coAwait()
      request.reply(published.body())
    } catch (failure: Exception) {
      request.fail(503, "task.completed not published, retry: ${failure.message}")
    }
  }

  companion object {
    const val ROOM_PREFIX = "project-"
    const val COMPLETE_TASK = "projects.completeTask"
  }
}
