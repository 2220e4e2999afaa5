package io.parley.votes;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A browser tab in a votes or planning-poker room over a real SockJS connection, as a page
 * would use it: sign in, register {@code room.<room>} (joining), ask what it needs, vote, read
 * the room's envelopes. Calls block with the client's bound, like {@link BridgeClient}.
 */
final class VoteTab implements AutoCloseable {

  final String userId;
  final String room;
  final BridgeClient client;

  private VoteTab(String userId, String room, BridgeClient client) {
    this.userId = userId;
    this.room = room;
    this.client = client;
  }

  /** A tab of {@code userId} on {@code node} that has joined {@code room}. */
  static VoteTab join(TestNode node, String userId, String room) {
    BridgeClient client = node.signIn(userId);
    client.join(room);
    return new VoteTab(userId, room, client);
  }

  /** A signed-in tab that has not joined {@code room}. */
  static VoteTab outside(TestNode node, String userId, String room) {
    return new VoteTab(userId, room, node.signIn(userId));
  }

  JsonObject cast(String value, long ts) {
    return client.request("votes.cast", vote(value, ts));
  }

  int castCode(JsonObject body) {
    return client.requestCode("votes.cast", body);
  }

  JsonObject vote(String value, long ts) {
    return new JsonObject().put("room", room).put("value", value).put("ts", ts);
  }

  JsonObject history() {
    return client.request("votes.history", new JsonObject().put("room", room));
  }

  /** The next envelope in the room with {@code event} (others skipped): its data. */
  JsonObject next(String event) {
    return nextEnvelope(event).getJsonObject("data");
  }

  JsonObject nextEnvelope(String event) {
    while (true) {
      // a tab that only listens still pings, as the browser client does: the bridge closes a
      // socket silent for bridge.pingTimeoutMs (10 s), and some tests listen longer than that
      client.ping();
      JsonObject envelope = client.nextEnvelope("room." + room);
      if (event.equals(envelope.getString("event"))) {
        return envelope;
      }
    }
  }

  /** The next tick's one entry {@code {ts, votes, connected}}. */
  JsonObject nextTick() {
    JsonObject data = next("votes.tick");
    if (data.getJsonArray("data").size() != 1) {
      throw new AssertionError("a votes.tick carries one entry: " + data);
    }
    return data.getJsonArray("data").getJsonObject(0);
  }

  /** Ticks until one satisfies {@code condition}, at most {@code maxTicks}; that one. */
  JsonObject awaitTick(int maxTicks, Predicate<JsonObject> condition) {
    List<JsonObject> seen = new ArrayList<>();
    for (int i = 0; i < maxTicks; i++) {
      JsonObject tick = nextTick();
      if (condition.test(tick)) {
        return tick;
      }
      seen.add(tick);
    }
    throw new AssertionError("no tick in " + room + " satisfied the condition within " + maxTicks + " ticks: " + seen);
  }

  /** The next {@code n} ticks. */
  List<JsonObject> ticks(int n) {
    List<JsonObject> ticks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ticks.add(nextTick());
    }
    return ticks;
  }

  /** Every envelope that arrived in the room and was not taken yet. */
  List<JsonObject> pending() {
    return client.pendingOn("room." + room).stream().map(frame -> frame.getJsonObject("body")).toList();
  }

  static JsonObject votes(int yes, int no) {
    return new JsonObject().put("yes", yes).put("no", no);
  }

  static Predicate<JsonObject> counts(int yes, int no, int connected) {
    return tick -> tick.getJsonObject("votes").equals(votes(yes, no)) && tick.getInteger("connected") == connected;
  }

  @Override
  public void close() {
    client.close();
  }
}
