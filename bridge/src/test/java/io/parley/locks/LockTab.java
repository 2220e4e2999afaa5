package io.parley.locks;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A browser tab using locks over a real SockJS connection: signed in as {@code userId} with its
 * own sessionId, a member of its {@code client-<sessionId>} room (where lock events arrive),
 * with one method per lock request. Calls block with the client's bound, like
 * {@link BridgeClient}.
 */
final class LockTab implements AutoCloseable {

  final String userId;
  final String sessionId;
  final BridgeClient client;

  private LockTab(String userId, String sessionId, BridgeClient client) {
    this.userId = userId;
    this.sessionId = sessionId;
    this.client = client;
  }

  /** A new tab of {@code userId} on {@code node}. */
  static LockTab open(TestNode node, String userId) {
    return open(node, userId, UUID.randomUUID().toString());
  }

  /** A tab with a given sessionId: the same tab again after a reconnect. */
  static LockTab open(TestNode node, String userId, String sessionId) {
    BridgeClient client = node.signIn(userId, new JsonObject(), sessionId);
    client.join("client-" + sessionId);
    return new LockTab(userId, sessionId, client);
  }

  static String clientRoom(String sessionId) {
    return "room.client-" + sessionId;
  }

  JsonObject status(String resource) {
    return client.request("locks.status", new JsonObject().put("resource", resource));
  }

  JsonObject acquire(String resource) {
    return client.request("locks.acquire", new JsonObject().put("resource", resource));
  }

  JsonObject acquire(String resource, long seq) {
    return client.request("locks.acquire", new JsonObject().put("resource", resource).put("seq", seq));
  }

  JsonObject heartbeat(String resource) {
    return client.request("locks.heartbeat", new JsonObject().put("resource", resource));
  }

  JsonObject release(String resource) {
    return client.request("locks.release", new JsonObject().put("resource", resource));
  }

  /** The receipt number of the kick. */
  int kick(String resource) {
    return client.request("locks.kick", new JsonObject().put("resource", resource)).getInteger("receiptNumber");
  }

  int kickCode(String resource) {
    return client.requestCode("locks.kick", new JsonObject().put("resource", resource));
  }

  JsonObject answer(int receiptNumber, boolean kickMeOut) {
    return client.request("locks.kick.answer", new JsonObject().put("receiptNumber", receiptNumber).put("kickMeOut", kickMeOut));
  }

  int answerCode(int receiptNumber, boolean kickMeOut) {
    return client.requestCode("locks.kick.answer", new JsonObject().put("receiptNumber", receiptNumber).put("kickMeOut", kickMeOut));
  }

  /** Joins the watchers' room of {@code resource}. */
  void watch(String resource) {
    client.register("room.lock-" + resource);
    client.request("rooms.state", new JsonObject().put("room", "lock-" + resource));
  }

  /** The next lock event on this tab's client room (presence envelopes skipped): its envelope. */
  JsonObject nextEvent() {
    while (true) {
      JsonObject envelope = client.nextEnvelope(clientRoom(sessionId));
      if (envelope.getString("event").startsWith("lock.")) {
        return envelope;
      }
    }
  }

  /** The next lock event's data, which must be {@code event}. */
  JsonObject next(String event) {
    JsonObject envelope = nextEvent();
    if (!event.equals(envelope.getString("event"))) {
      throw new AssertionError("expected " + event + " but got " + envelope);
    }
    return envelope.getJsonObject("data");
  }

  /** The next {@code lock.status} on the watchers' room of {@code resource}. */
  JsonObject nextStatus(String resource) {
    while (true) {
      JsonObject envelope = client.nextEnvelope("room.lock-" + resource);
      if (envelope.getString("event").equals("lock.status")) {
        return envelope.getJsonObject("data");
      }
    }
  }

  /** Lock events that arrived and were not taken yet. */
  List<JsonObject> pendingEvents() {
    List<JsonObject> events = new ArrayList<>();
    for (JsonObject frame : client.pendingOn(clientRoom(sessionId))) {
      JsonObject envelope = frame.getJsonObject("body");
      if (envelope != null && envelope.getString("event", "").startsWith("lock.")) {
        events.add(envelope);
      }
    }
    return events;
  }

  @Override
  public void close() {
    client.close();
  }
}
