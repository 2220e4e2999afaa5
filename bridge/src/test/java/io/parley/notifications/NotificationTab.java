package io.parley.notifications;

import io.parley.testing.SignedInTab;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * A browser tab using notifications: those of its topics arrive on its client room; one method
 * per notifications request.
 */
final class NotificationTab extends SignedInTab {

  NotificationTab(TestNode node, String userId) {
    super(node, userId);
  }

  NotificationTab(TestNode node, String userId, String sessionId) {
    super(node, userId, sessionId);
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
    return nextEnvelope(clientRoom(sessionId), "notification"::equals).getJsonObject("data");
  }

  /** Publishes with {@code publish} (answering the id) and answers the id of the notification that arrives next. */
  long nextNotificationAfter(LongSupplier publish) {
    long id = publish.getAsLong();
    long received = nextNotification().getLong("id");
    if (received != id) {
      throw new AssertionError("expected notification " + id + " but got " + received);
    }
    return received;
  }

  private static List<String> strings(JsonObject reply) {
    return reply.getJsonArray("topics").stream().map(String.class::cast).toList();
  }
}
