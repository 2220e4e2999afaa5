package io.parley.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * An authenticated connection: who the token says the user is, which tab (session) and
 * socket (connection) it came from, and what its claims allow.
 *
 * @param expiresAt token expiry in epoch millis, {@link Long#MAX_VALUE} when the token has none
 * @param resumed   true when this sessionId had been seen before
 */
public record Principal(String userId, String name, String sessionId, String connectionId,
                        Set<String> orgs, Set<String> boards, long expiresAt, boolean resumed) {

  public Principal {
    orgs = Set.copyOf(orgs);
    boards = Set.copyOf(boards);
  }

  /** What the client is told: no claims, no expiry. */
  public JsonObject toClientReply() {
    return new JsonObject()
      .put("userId", userId)
      .put("name", name)
      .put("sessionId", sessionId)
      .put("connectionId", connectionId)
      .put("resumed", resumed);
  }

  /** The full principal, as the auth verticle answers the bridge. */
  public JsonObject toJson() {
    return toClientReply()
      .put("orgs", new JsonArray(List.copyOf(orgs)))
      .put("boards", new JsonArray(List.copyOf(boards)))
      .put("expiresAt", expiresAt);
  }

  public static Principal fromJson(JsonObject json) {
    return new Principal(
      json.getString("userId"),
      json.getString("name"),
      json.getString("sessionId"),
      json.getString("connectionId"),
      Set.copyOf(strings(json.getJsonArray("orgs"))),
      Set.copyOf(strings(json.getJsonArray("boards"))),
      json.getLong("expiresAt", Long.MAX_VALUE),
      json.getBoolean("resumed", false));
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(String::valueOf).toList();
  }
}
