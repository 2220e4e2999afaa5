package io.parley.notifications;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;

/**
 * A browser tab using notifications over a real SockJS connection: signed in as {@code userId}
 * with its own sessionId and a member of its {@code client-<sessionId>} room, where
 * notifications arrive. Calls block with the client's bound, like {@link BridgeClient}.
 */
final class NotificationTab implements AutoCloseable {

  final String sessionId;
  final BridgeClient client;
  /** What {@code auth.authenticate} answered: {@code resumed} says whether the session was known. */
  final JsonObject principal;

  private NotificationTab(String sessionId, BridgeClient client, JsonObject principal) {
    this.sessionId = sessionId;
    this.client = client;
    this.principal = principal;
  }

  static NotificationTab open(TestNode node, String userId) {
    return open(node, userId, UUID.randomUUID().toString());
  }

  /** A tab with a given sessionId: the same tab again after a reconnect, on whichever node. */
  static NotificationTab open(TestNode node, String userId, String sessionId) {
    BridgeClient client = node.connect();
    JsonObject principal = client.request("auth.authenticate",
      new JsonObject().put("token", node.token(userId)).put("sessionId", sessionId));
    // from here on the tab receives every notification published
    client.join("client-" + sessionId);
    return new NotificationTab(sessionId, client, principal);
  }

  static String room(String sessionId) {
    return "room.client-" + sessionId;
  }

  List<String> subscribe(String... topics) {
    return strings(client.request("notifications.subscribe", new JsonObject().put("topics", new JsonArray(List.of(topics)))));
  }

  List<String> unsubscribe(String... topics) {
    return strings(client.request("notifications.unsubscribe", new JsonObject().put("topics", new JsonArray(List.of(topics)))));
  }

  JsonObject since(long sinceId) {
    return client.request("notifications.since", new JsonObject().put("sinceId", sinceId));
  }

  /** The ids {@code notifications.since} replays after {@code sinceId}. */
  List<Long> replayedIds(long sinceId) {
    return since(sinceId).getJsonArray("notifications").stream().map(n -> ((JsonObject) n).getLong("id")).toList();
  }

  /** The data of the next notification this tab receives (anything else on its client room is skipped). */
  JsonObject nextNotification() {
    while (true) {
      JsonObject envelope = client.nextEnvelope(room(sessionId));
      if ("notification".equals(envelope.getString("event"))) {
        return envelope.getJsonObject("data");
      }
    }
  }

  /** Publishes with {@code publish} (answering the id) and answers the id of the notification that arrives next. */
  long nextNotificationAfter(java.util.function.LongSupplier publish) {
    long id = publish.getAsLong();
    long received = nextNotification().getLong("id");
    if (received != id) {
      throw new AssertionError("expected notification " + id + " but got " + received);
    }
    return received;
  }

  @Override
  public void close() {
    client.close();
  }

  private static List<String> strings(JsonObject reply) {
    return reply.getJsonArray("topics").stream().map(String.class::cast).toList();
  }
}
