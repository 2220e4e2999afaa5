package io.parley.rooms;

import io.parley.shared.RealtimeService;
import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.parley.testing.TestNode.boards;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rooms as a browser sees them through the bridge: ordered delivery with offsets, aliases,
 * presence once per user, state, catch-up after a reconnect.
 */
class RoomsOverBridgeTest {

  private static final int HISTORY_SIZE = 20;
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(new JsonObject().put("rooms", new JsonObject()
      .put("history", new JsonObject().put("maxSize", HISTORY_SIZE).put("keepWhenEmpty", true))));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void every_member_receives_every_publish_in_offset_order() {
    try (BridgeClient ann = node.signIn("ann", boards("1")); BridgeClient bob = node.signIn("bob", boards("1"))) {
      bob.join("board-1");
      long first = -1;
      for (int i = 0; i < 50; i++) {
        JsonObject published = publish(ann, "board-1", "task.update", new JsonObject().put("n", i));
        first = first < 0 ? published.getLong("offset") : first;
      }
      List<JsonObject> received = bob.envelopesUntil("room.board-1", "task.update");
      for (int i = 1; i < 50; i++) {
        received.add(bob.nextEnvelope("room.board-1"));
      }
      List<JsonObject> updates = received.stream().filter(e -> e.getString("event").equals("task.update")).toList();
      assertThat(updates).hasSize(50);
      for (int i = 0; i < 50; i++) {
        JsonObject envelope = updates.get(i);
        assertThat(envelope.getLong("offset")).isEqualTo(first + i);
        assertThat(envelope.getJsonObject("data").getInteger("n")).isEqualTo(i);
        assertThat(envelope.getString("destination")).isEqualTo("board-1");
        assertThat(envelope.getString("epoch")).isEqualTo(updates.get(0).getString("epoch"));
        assertThat(envelope.getJsonObject("from").getString("userId")).isEqualTo("ann");
      }
    }
  }

  @Test
  void a_board_member_receives_its_task_and_sprint_rooms_events_with_their_destination() {
    try (BridgeClient ann = node.signIn("ann", boards("2")); BridgeClient bob = node.signIn("bob", boards("2"))) {
      bob.join("board-2");
      publish(ann, "board-2-tasks", "task.create", new JsonObject().put("id", 5));
      publish(ann, "board-2-sprints", "sprint.update", new JsonObject().put("id", 6));
      List<JsonObject> events = withoutPresence(bob.envelopesUntil("room.board-2", "sprint.update"));
      assertThat(events).extracting(e -> e.getString("destination")).containsExactly("board-2-tasks", "board-2-sprints");
      assertThat(events).extracting(e -> e.getLong("offset")).containsExactly(1L, 1L);
    }
  }

  @Test
  void presence_join_and_leave_fire_once_per_user_not_per_connection() {
    try (BridgeClient watcher = node.signIn("wendy")) {
      watcher.register("room.votes-p");
      assertThat(watcher.nextEnvelope("room.votes-p").getString("event")).isEqualTo("presence.join");

      BridgeClient tab1 = node.signIn("pat");
      BridgeClient tab2 = node.signIn("pat");
      tab1.join("votes-p");
      tab2.register("room.votes-p");
      JsonObject state = tab2.request("rooms.state", new JsonObject().put("room", "votes-p"));
      assertThat(state.getJsonArray("members").stream().map(JsonObject.class::cast)
        .filter(m -> m.getString("userId").equals("pat")).findFirst().orElseThrow().getInteger("connections")).isEqualTo(2);

      tab1.close();
      watcher.awaitState("votes-p", st -> BridgeClient.connectionsOf(st, "pat") == 1);
      publish(watcher, "votes-p", "user.update", "marker-1");
      List<JsonObject> beforeLastClose = watcher.envelopesUntil("room.votes-p", "user.update");
      tab2.close();
      List<JsonObject> leave = watcher.envelopesUntil("room.votes-p", "presence.leave");
      publish(watcher, "votes-p", "user.update", "marker-2");
      List<JsonObject> afterLeave = watcher.envelopesUntil("room.votes-p", "user.update");

      // one join for both tabs; one leave, only after the second tab closed
      assertThat(presence(beforeLastClose)).containsExactly("presence.join:pat");
      assertThat(presence(leave)).containsExactly("presence.leave:pat");
      assertThat(presence(afterLeave)).isEmpty();
      JsonObject presenceEnvelope = leave.get(leave.size() - 1);
      assertThat(presenceEnvelope.containsKey("offset")).isFalse();
      assertThat(presenceEnvelope.getJsonObject("data").getString("name")).isEqualTo("User pat");
    }
  }

  @Test
  void room_state_shows_members_and_activity_and_is_404_for_an_unknown_room() {
    try (BridgeClient ann = node.signIn("ann"); BridgeClient ann2 = node.signIn("ann")) {
      assertThat(ann.requestCode("rooms.state", new JsonObject().put("room", "votes-never-used"))).isEqualTo(404);
      ann.join("votes-s");
      ann2.join("votes-s");
      ann.request("rooms.activity", new JsonObject().put("active", false));
      JsonObject member = ann.request("rooms.state", new JsonObject().put("room", "votes-s")).getJsonArray("members").getJsonObject(0);
      assertThat(member.getBoolean("active")).as("one of two tabs is still active").isTrue();
      ann2.request("rooms.activity", new JsonObject().put("active", false));
      member = ann.request("rooms.state", new JsonObject().put("room", "votes-s")).getJsonArray("members").getJsonObject(0);
      assertThat(member.getBoolean("active")).isFalse();
      assertThat(member.getInteger("connections")).isEqualTo(2);
    }
  }

  @Test
  void a_reconnecting_tab_catches_up_exactly_the_envelopes_it_missed() {
    String sessionId = UUID.randomUUID().toString();
    JsonObject last;
    try (BridgeClient publisher = node.signIn("pub", boards("3"))) {
      try (BridgeClient tab = node.signIn("ann", boards("3"), sessionId)) {
        tab.join("board-3");
        publish(publisher, "board-3", "task.update", 1);
        List<JsonObject> seen = tab.envelopesUntil("room.board-3", "task.update");
        last = seen.get(seen.size() - 1);
      }
      for (int i = 2; i <= 4; i++) {
        publish(publisher, "board-3", "task.update", i);
      }
      try (BridgeClient back = node.signIn("ann", boards("3"), sessionId)) {
        back.register("room.board-3");
        JsonObject page = back.request("rooms.history", new JsonObject().put("room", "board-3")
          .put("epoch", last.getString("epoch")).put("sinceOffset", last.getLong("offset")));
        assertThat(page.getBoolean("recovered")).isTrue();
        assertThat(page.getJsonArray("events").stream().map(JsonObject.class::cast).map(e -> e.getInteger("data")).toList())
          .containsExactly(2, 3, 4);
        assertThat(page.getJsonArray("events").getJsonObject(0).getLong("offset")).isEqualTo(last.getLong("offset") + 1);
      }
    }
  }

  @Test
  void catch_up_is_refused_whole_when_history_no_longer_covers_the_gap() {
    try (BridgeClient publisher = node.signIn("pub", boards("4"))) {
      JsonObject first = publish(publisher, "board-4", "task.update", 0);
      JsonObject state = publisher.request("rooms.state", new JsonObject().put("room", "board-4"));
      for (int i = 1; i <= HISTORY_SIZE + 5; i++) {
        publish(publisher, "board-4", "task.update", i);
      }
      JsonObject page = publisher.request("rooms.history", new JsonObject().put("room", "board-4")
        .put("epoch", state.getString("epoch")).put("sinceOffset", first.getLong("offset")));
      assertThat(page.getBoolean("recovered")).isFalse();
      assertThat(page.getJsonArray("events")).isEmpty();

      JsonObject otherEpoch = publisher.request("rooms.history", new JsonObject().put("room", "board-4")
        .put("epoch", "not-this-stream").put("sinceOffset", first.getLong("offset") + HISTORY_SIZE));
      assertThat(otherEpoch.getBoolean("recovered")).isFalse();
      assertThat(otherEpoch.getString("epoch")).isEqualTo(state.getString("epoch"));
    }
  }

  @Test
  void server_events_from_the_http_api_and_realtime_service_reach_members_without_from() {
    try (BridgeClient ann = node.signIn("ann", boards("5"))) {
      ann.join("board-5");
      TestNode.HttpResult viaHttp = node.post("/api/rooms/board-5/events",
        new JsonObject().put("event", "board.update").put("data", new JsonObject().put("updatedAt", 1)), "dev-api-key");
      assertThat(viaHttp.status()).isEqualTo(202);
      assertThat(viaHttp.json().getLong("offset")).isPositive();

      RealtimeService realtime = node.node().realtime();
      RealtimeService.Published published = await(realtime.trigger("board-5", "poker.anything", new JsonObject().put("x", 1)));

      List<JsonObject> events = withoutPresence(ann.envelopesUntil("room.board-5", "poker.anything"));
      assertThat(events).extracting(e -> e.getString("event")).containsExactly("board.update", "poker.anything");
      assertThat(events).allSatisfy(e -> assertThat(e.containsKey("from")).as("server events have no from").isFalse());
      assertThat(events.get(1).getLong("offset")).isEqualTo(published.offset());
    }
  }

  @Test
  void rooms_bigger_than_the_presence_limit_announce_no_joins_or_leaves_but_state_stays_exact() {
    JsonObject smallLimit = new JsonObject().put("rooms", new JsonObject().put("presenceEventsUpTo", 2));
    try (TestNode limited = TestNode.start(smallLimit);
         BridgeClient first = limited.signIn("first"); BridgeClient second = limited.signIn("second")) {
      first.join("votes-big");
      second.join("votes-big");
      try (BridgeClient third = limited.signIn("third")) {
        third.register("room.votes-big");
        assertThat(third.request("rooms.state", new JsonObject().put("room", "votes-big")).getJsonArray("members")).hasSize(3);
      }
      first.awaitState("votes-big", st -> st.getJsonArray("members").size() == 2);
      second.close();
      first.awaitState("votes-big", st -> st.getJsonArray("members").size() == 1);
      publish(first, "votes-big", "user.update", "marker");
      assertThat(presence(first.envelopesUntil("room.votes-big", "user.update")))
        .as("the third user took the room past the limit: neither their join nor their leave is announced")
        .containsExactly("presence.join:first", "presence.join:second", "presence.leave:second");
    }
  }

  private static JsonObject publish(BridgeClient client, String room, String event, Object data) {
    return client.request("rooms.publish", new JsonObject().put("room", room).put("event", event).put("data", data));
  }

  private static List<JsonObject> withoutPresence(List<JsonObject> envelopes) {
    return envelopes.stream().filter(e -> !e.getString("event").startsWith("presence.")).toList();
  }

  private static List<String> presence(List<JsonObject> envelopes) {
    return envelopes.stream().filter(e -> e.getString("event").startsWith("presence."))
      .map(e -> e.getString("event") + ":" + e.getJsonObject("data").getString("userId")).toList();
  }

  private static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
