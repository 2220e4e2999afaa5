package com.example.projects;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

/**
 * Who may join which room, from the application's own data: with {@code rooms.policy: "bus"}
 * Parley asks {@code rooms.authorize {room, userId, sessionId, name, orgs, boards}} at every
 * join and expects {@code {allowed}}. Room {@code project-<id>} is open to that project's
 * members; every other room (beyond the identity rooms Parley decides itself) to nobody.
 */
public final class ProjectAccess extends VerticleBase {

  public static final String ROOM_PREFIX = "project-";

  private final Map<String, Set<String>> membersByProject;

  /** Stands for the application's database: project id → the user ids of its members. */
  public ProjectAccess(Map<String, Set<String>> membersByProject) {
    this.membersByProject = Map.copyOf(membersByProject);
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer("rooms.authorize", this::authorize).completion();
  }

  private void authorize(Message<JsonObject> question) {
    String room = question.body().getString("room");
    String userId = question.body().getString("userId");
    boolean allowed = room.startsWith(ROOM_PREFIX)
      && membersByProject.getOrDefault(room.substring(ROOM_PREFIX.length()), Set.of()).contains(userId);
    question.reply(new JsonObject().put("allowed", allowed));
  }
}
