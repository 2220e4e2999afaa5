package io.parley.locks;

import io.parley.testing.SignedInTab;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** A browser tab using locks: lock events arrive on its client room; one method per lock request. */
final class LockTab extends SignedInTab {

  LockTab(TestNode node, String userId) {
    super(node, userId);
  }

  LockTab(TestNode node, String userId, String sessionId) {
    super(node, userId, sessionId);
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
    client.join("lock-" + resource);
  }

  /** The next lock event on this tab's client room (presence envelopes skipped): its envelope. */
  JsonObject nextEvent() {
    return nextEnvelope(clientRoom(sessionId), event -> event.startsWith("lock."));
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
    return nextEnvelope("room.lock-" + resource, "lock.status"::equals).getJsonObject("data");
  }

  /** Lock events that arrived and were not taken yet. */
  List<JsonObject> pendingEvents() {
    return pendingEnvelopes(clientRoom(sessionId), event -> event.startsWith("lock."));
  }
}
