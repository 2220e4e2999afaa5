package io.parley.votes;

import io.parley.testing.SignedInTab;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A browser tab in a votes or planning-poker room, as a page would use it: a {@link SignedInTab}
 * that registers {@code room.<room>} (joining), asks what it needs, votes, reads the room's
 * envelopes.
 */
final class VoteTab extends SignedInTab {

  final String room;

  private VoteTab(TestNode node, String userId, String room) {
    super(node, userId);
    this.room = room;
  }

  /** A tab of {@code userId} on {@code node} that has joined {@code room}. */
  static VoteTab join(TestNode node, String userId, String room) {
    VoteTab tab = new VoteTab(node, userId, room);
    tab.client.join(room);
    return tab;
  }

  /** A signed-in tab that has not joined {@code room}. */
  static VoteTab outside(TestNode node, String userId, String room) {
    return new VoteTab(node, userId, room);
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
    return nextEnvelope("room." + room, event::equals);
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
    return pendingEnvelopes("room." + room, event -> true);
  }

  static JsonObject votes(int yes, int no) {
    return new JsonObject().put("yes", yes).put("no", no);
  }

  static Predicate<JsonObject> counts(int yes, int no, int connected) {
    return tick -> tick.getJsonObject("votes").equals(votes(yes, no)) && tick.getInteger("connected") == connected;
  }
}
