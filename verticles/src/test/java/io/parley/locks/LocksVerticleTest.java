package io.parley.locks;

import io.parley.rooms.MemoryRoomStore;
import io.parley.rooms.RoomPublisher;
import io.parley.rooms.RoomsOptions;
import io.parley.shared.Addresses;
import io.parley.shared.Await;
import io.parley.shared.Headers;
import io.parley.shared.MutableClock;
import io.parley.shared.RealtimeService;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The locks verticle on the bus, alone: the in-memory store with a {@link MutableClock}, and the
 * node's room publisher over an in-memory room store whose deliveries are recorded (no rooms
 * verticle runs: lock events do not need one). Time-driven
 * behaviour (expiry, kick deadlines) is driven by moving the clock; the verticle's own sweep
 * runs every 10 ms, and the tests wait for its events with a bound.
 */
class LocksVerticleTest {

  private static final LocksOptions OPTIONS = new LocksOptions(300_000, 900_000, 30_000, 10, 200);
  /** What the host application of these tests knows: one project version. */
  private static final JsonObject RELEASE_3 = new JsonObject().put("versionId", 42).put("versionName", "Release 3")
    .put("templateId", 7).put("templateName", "Mobile app");

  private final MutableClock clock = new MutableClock();
  private final BlockingQueue<JsonObject> published = new LinkedBlockingQueue<>();
  private Vertx vertx;

  private final Tab ann = new Tab("ann", "Ann Archer");
  private final Tab bob = new Tab("bob", null);

  @BeforeEach
  void deploy() {
    deploy(OPTIONS);
    answerAsHost();
  }

  /**
   * The host application on {@code locks.resourceInfo}: {@link #RELEASE_3} for
   * {@code project-version:42}, 404 for any other project version, nothing to show ({@code {}})
   * for other kinds.
   */
  private void answerAsHost() {
    vertx.eventBus().<JsonObject>consumer(Addresses.LOCKS_RESOURCE_INFO, message -> {
      String resource = message.body().getString("resource");
      if (resource.equals("project-version:42")) {
        message.reply(RELEASE_3);
      } else if (resource.startsWith("project-version:")) {
        message.fail(404, "no such project version");
      } else {
        message.reply(new JsonObject());
      }
    });
  }

  /** Two instances sharing one store, as a node deploys them; what they publish recorded. */
  private void deploy(LocksOptions options) {
    vertx = Vertx.vertx();
    RoomsOptions rooms = RoomsOptions.fromConfig(new JsonObject());
    MemoryRoomStore roomStore = new MemoryRoomStore(null, clock, rooms.history(), encoded -> published.add(new JsonObject()
      .put("room", encoded.envelope().destination()).put("event", encoded.envelope().event()).put("data", encoded.envelope().data())
      .put("server", encoded.envelope().from() == null)));
    RealtimeService realtime = RealtimeService.create(vertx, new RoomPublisher(roomStore, rooms.clientEvents()), new JsonObject());
    MemoryLockStore store = new MemoryLockStore(clock, options);
    Await.result(vertx.deployVerticle(() -> new LocksVerticle(store, options, realtime, io.parley.shared.FailureLog.fallback()),
      new DeploymentOptions().setInstances(2)));
  }

  /** The same with a sweep that never comes during the test: what requests alone do. */
  private void redeployWithoutSweep() {
    Await.result(vertx.close());
    deploy(new LocksOptions(OPTIONS.heartbeatMs(), OPTIONS.ttlMs(), OPTIONS.kickTimeoutMs(), 3_600_000, OPTIONS.resourceInfoTimeoutMs()));
    answerAsHost();
  }

  /** A node with no host application answering {@code locks.resourceInfo}. */
  private void redeployWithoutHost() {
    Await.result(vertx.close());
    deploy(OPTIONS);
  }

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /** A client as the bridge forwards it: identity headers only, the name when the bridge has one. */
  private final class Tab {
    final String userId;
    final String name;
    final String sessionId = UUID.randomUUID().toString();

    Tab(String userId, String name) {
      this.userId = userId;
      this.name = name;
    }

    JsonObject request(String address, Object body) {
      DeliveryOptions headers = new DeliveryOptions().addHeader(Headers.USER_ID, userId)
        .addHeader(Headers.SESSION_ID, sessionId).addHeader(Headers.CONNECTION_ID, UUID.randomUUID().toString());
      if (name != null) {
        headers.addHeader(LocksVerticle.NAME_HEADER, name);
      }
      return Await.result(vertx.eventBus().<JsonObject>request(address, body, headers).map(Message::body));
    }

    int code(String address, Object body) {
      Throwable failure = Await.failure(vertx.eventBus().request(address, body, new DeliveryOptions()
        .addHeader(Headers.USER_ID, userId).addHeader(Headers.SESSION_ID, sessionId)
        .addHeader(Headers.CONNECTION_ID, UUID.randomUUID().toString())));
      return failure == null ? 0 : ((ReplyException) failure).failureCode();
    }
  }

  private static JsonObject resource(String key) {
    return new JsonObject().put("resource", key);
  }

  /** The next event the verticle published, which must be {@code event} to {@code room}. */
  private JsonObject nextEvent(String room, String event) {
    try {
      JsonObject publish = published.poll(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(publish).as("an event " + event + " to " + room).isNotNull();
      assertThat(publish.getString("room") + " " + publish.getString("event")).isEqualTo(room + " " + event);
      assertThat(publish.getBoolean("server")).as("published as a server event").isTrue();
      return publish.getJsonObject("data");
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_status_is_the_designed_object_for_whoever_asks() {
    JsonObject acquired = ann.request(Addresses.LOCKS_ACQUIRE, resource("project-version:42").put("seq", 3));

    assertThat(acquired).isEqualTo(new JsonObject()
      .put("resource", "project-version:42")
      .put("receiptNumber", null)
      .put("okToEdit", true)
      .put("holder", new JsonObject().put("userId", "ann").put("name", "Ann Archer").put("sessionId", ann.sessionId))
      .put("lastUpdated", MutableClock.DEFAULT_START_MILLIS)
      .put("info", RELEASE_3)
      .put("seq", 3L));

    JsonObject seen = bob.request(Addresses.LOCKS_STATUS, resource("project-version:42"));
    assertThat(seen.getBoolean("okToEdit")).isFalse();
    assertThat(seen.getJsonObject("holder")).isEqualTo(acquired.getJsonObject("holder"));
    assertThat(seen.containsKey("seq")).isFalse();

    JsonObject watched = nextEvent("lock-project-version:42", LocksVerticle.LOCK_STATUS);
    assertThat(watched.getBoolean("okToEdit")).as("a broadcast grants nothing").isFalse();
    assertThat(watched.getJsonObject("holder")).isEqualTo(acquired.getJsonObject("holder"));
  }

  @Test
  void without_a_name_from_the_bridge_the_holder_is_shown_by_user_id() {
    JsonObject acquired = bob.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));

    assertThat(acquired.getJsonObject("holder").getString("name")).isEqualTo("bob");
  }

  @Test
  void the_body_never_says_who_acts() {
    ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));

    JsonObject forged = bob.request(Addresses.LOCKS_RELEASE, resource("doc:1")
      .put("sessionId", ann.sessionId).put("userId", "ann"));

    assertThat(forged.getJsonObject("holder").getString("sessionId")).isEqualTo(ann.sessionId);
    assertThat(Await.failure(vertx.eventBus().request(Addresses.LOCKS_ACQUIRE, resource("doc:2"))))
      .as("server-side code without a client's headers").isInstanceOfSatisfying(ReplyException.class,
        e -> assertThat(e.failureCode()).isEqualTo(401));
  }

  @Test
  void bad_input_gets_400_unknown_project_versions_404() {
    assertThat(ann.code(Addresses.LOCKS_STATUS, "text")).isEqualTo(400);
    assertThat(ann.code(Addresses.LOCKS_ACQUIRE, new JsonObject())).isEqualTo(400);
    assertThat(ann.code(Addresses.LOCKS_ACQUIRE, resource("nope"))).isEqualTo(400);
    assertThat(ann.code(Addresses.LOCKS_ACQUIRE, resource("doc:1").put("seq", 1.5))).isEqualTo(400);
    assertThat(ann.code(Addresses.LOCKS_KICK, resource("project-version:0"))).isEqualTo(400);
    assertThat(ann.code(Addresses.LOCKS_ACQUIRE, resource("project-version:77"))).isEqualTo(404);
    assertThat(ann.code(Addresses.LOCKS_KICK_ANSWER, new JsonObject().put("receiptNumber", 5))).isEqualTo(400);
    assertThat(ann.code(Addresses.LOCKS_KICK_ANSWER, new JsonObject().put("receiptNumber", 5).put("kickMeOut", true))).isEqualTo(404);
    assertThat(published).as("nothing happened").isEmpty();
  }

  @Test
  void a_kick_asks_the_holder_and_consent_tells_both_sides_and_the_watchers() {
    ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));
    nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS);

    int receipt = bob.request(Addresses.LOCKS_KICK, resource("doc:1").put("seq", 9)).getInteger("receiptNumber");

    JsonObject asked = nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_KICK_REQUESTED);
    assertThat(asked).isEqualTo(new JsonObject().put("resource", "doc:1").put("receiptNumber", receipt)
      .put("by", new JsonObject().put("userId", "bob").put("name", "bob"))
      .put("deadline", clock.millis() + OPTIONS.kickTimeoutMs()));

    assertThat(ann.request(Addresses.LOCKS_KICK_ANSWER, new JsonObject().put("receiptNumber", receipt).put("kickMeOut", true)))
      .isEqualTo(new JsonObject());

    JsonObject granted = nextEvent("client-" + bob.sessionId, LocksVerticle.LOCK_GRANTED);
    assertThat(granted).isEqualTo(new JsonObject().put("resource", "doc:1").put("receiptNumber", receipt)
      .put("by", new JsonObject().put("userId", "ann").put("name", "Ann Archer")).put("reason", "consent"));
    JsonObject lost = nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_LOST);
    assertThat(lost.getJsonObject("by").getString("userId")).isEqualTo("bob");
    assertThat(lost.getInteger("receiptNumber")).isEqualTo(receipt);
    JsonObject watched = nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS);
    assertThat(watched.getJsonObject("holder").getString("sessionId")).isEqualTo(bob.sessionId);
    assertThat(watched.getInteger("receiptNumber")).as("the watchers' status names the kick that moved the lock").isEqualTo(receipt);
  }

  @Test
  void a_receipt_number_names_a_kick_out_request_and_is_null_where_there_was_none() {
    JsonObject acquired = ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));
    assertThat(nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS).getValue("receiptNumber")).isNull();
    assertThat(acquired.getValue("receiptNumber")).isNull();
    assertThat(bob.request(Addresses.LOCKS_STATUS, resource("doc:1")).getValue("receiptNumber")).isNull();
    assertThat(ann.request(Addresses.LOCKS_HEARTBEAT, resource("doc:1")).getValue("receiptNumber")).isNull();

    int receipt = bob.request(Addresses.LOCKS_KICK, resource("doc:1")).getInteger("receiptNumber");
    assertThat(nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_KICK_REQUESTED).getInteger("receiptNumber")).isEqualTo(receipt);
    ann.request(Addresses.LOCKS_KICK_ANSWER, new JsonObject().put("receiptNumber", receipt).put("kickMeOut", false));
    assertThat(nextEvent("client-" + bob.sessionId, LocksVerticle.LOCK_KICK_REFUSED).getInteger("receiptNumber")).isEqualTo(receipt);

    assertThat(ann.request(Addresses.LOCKS_RELEASE, resource("doc:1")).getValue("receiptNumber")).isNull();
    assertThat(nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS).getValue("receiptNumber")).isNull();
  }

  @Test
  void with_no_host_answering_resource_info_locks_work_and_show_no_details() {
    redeployWithoutHost();

    JsonObject acquired = ann.request(Addresses.LOCKS_ACQUIRE, resource("project-version:77"));

    assertThat(acquired.getBoolean("okToEdit")).isTrue();
    assertThat(acquired.getJsonObject("info")).isEqualTo(new JsonObject());
    assertThat(nextEvent("lock-project-version:77", LocksVerticle.LOCK_STATUS).getJsonObject("holder").getString("userId")).isEqualTo("ann");
    assertThat(bob.request(Addresses.LOCKS_STATUS, resource("project-version:77")).getJsonObject("holder").getString("userId"))
      .isEqualTo("ann");
  }

  @Test
  void a_host_that_does_not_answer_in_time_leaves_the_details_out_and_the_lock_works() {
    redeployWithoutHost();
    vertx.eventBus().consumer(Addresses.LOCKS_RESOURCE_INFO, message -> {
      // never answers
    });

    JsonObject acquired = ann.request(Addresses.LOCKS_ACQUIRE, resource("project-version:42"));

    assertThat(acquired.getBoolean("okToEdit")).isTrue();
    assertThat(acquired.getJsonObject("info")).isEqualTo(new JsonObject());
    assertThat(ann.request(Addresses.LOCKS_RELEASE, resource("project-version:42")).getValue("holder")).isNull();
  }

  @Test
  void a_resource_the_host_says_does_not_exist_cannot_be_locked() {
    assertThat(ann.code(Addresses.LOCKS_ACQUIRE, resource("project-version:77"))).isEqualTo(404);
    assertThat(ann.code(Addresses.LOCKS_STATUS, resource("project-version:77"))).isEqualTo(404);
    assertThat(ann.code(Addresses.LOCKS_KICK, resource("project-version:77"))).isEqualTo(404);
    assertThat(published).as("nothing happened").isEmpty();
  }

  @Test
  void a_refusal_tells_the_kicker() {
    ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));
    int receipt = bob.request(Addresses.LOCKS_KICK, resource("doc:1")).getInteger("receiptNumber");

    ann.request(Addresses.LOCKS_KICK_ANSWER, new JsonObject().put("receiptNumber", receipt).put("kickMeOut", false));

    nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS);
    nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_KICK_REQUESTED);
    JsonObject refused = nextEvent("client-" + bob.sessionId, LocksVerticle.LOCK_KICK_REFUSED);
    assertThat(refused.getString("reason")).isEqualTo("refused");
    assertThat(refused.getJsonObject("by").getString("name")).isEqualTo("Ann Archer");
  }

  @Test
  void at_the_deadline_the_sweep_moves_the_lock_and_a_late_refusal_is_a_conflict() {
    ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));
    int receipt = bob.request(Addresses.LOCKS_KICK, resource("doc:1")).getInteger("receiptNumber");
    nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS);
    nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_KICK_REQUESTED);

    clock.advanceMillis(OPTIONS.kickTimeoutMs());

    assertThat(nextEvent("client-" + bob.sessionId, LocksVerticle.LOCK_GRANTED).getString("reason")).isEqualTo("timeout");
    assertThat(nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_LOST).getString("reason")).isEqualTo("timeout");
    nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS);
    assertThat(ann.code(Addresses.LOCKS_KICK_ANSWER, new JsonObject().put("receiptNumber", receipt).put("kickMeOut", false)))
      .isEqualTo(404);
  }

  @Test
  void a_refusal_that_arrives_after_the_deadline_before_the_sweep_still_loses() {
    redeployWithoutSweep(); // the answer alone sees that the deadline passed
    ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));
    int receipt = bob.request(Addresses.LOCKS_KICK, resource("doc:1")).getInteger("receiptNumber");
    clock.advanceMillis(OPTIONS.kickTimeoutMs());

    assertThat(ann.code(Addresses.LOCKS_KICK_ANSWER, new JsonObject().put("receiptNumber", receipt).put("kickMeOut", false)))
      .isEqualTo(409);
    assertThat(bob.request(Addresses.LOCKS_STATUS, resource("doc:1")).getBoolean("okToEdit")).isTrue();
  }

  @Test
  void a_heartbeat_keeps_the_lock_past_its_first_ttl_and_silence_loses_it() {
    ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:kept"));
    bob.request(Addresses.LOCKS_ACQUIRE, resource("doc:sentinel"));
    nextEvent("lock-doc:kept", LocksVerticle.LOCK_STATUS);
    nextEvent("lock-doc:sentinel", LocksVerticle.LOCK_STATUS);

    clock.advanceMillis(OPTIONS.ttlMs() - 1_000);
    JsonObject beat = ann.request(Addresses.LOCKS_HEARTBEAT, resource("doc:kept"));
    assertThat(beat.getLong("lastUpdated")).isEqualTo(clock.millis());
    assertThat(bob.request(Addresses.LOCKS_HEARTBEAT, resource("doc:kept")).getBoolean("okToEdit"))
      .as("only the holder's heartbeat counts").isFalse();
    clock.advanceMillis(2_000);

    // the sentinel, never refreshed, expires in a sweep that would have taken the kept lock too
    assertThat(nextEvent("client-" + bob.sessionId, LocksVerticle.LOCK_LOST).getString("reason")).isEqualTo("expired");
    assertThat(nextEvent("lock-doc:sentinel", LocksVerticle.LOCK_STATUS).getValue("holder")).isNull();
    assertThat(ann.request(Addresses.LOCKS_STATUS, resource("doc:kept")).getBoolean("okToEdit")).isTrue();
    assertThat(published).isEmpty();

    clock.advanceMillis(OPTIONS.ttlMs());
    JsonObject lost = nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_LOST);
    assertThat(lost.getString("resource")).isEqualTo("doc:kept");
    assertThat(lost.getValue("by")).isNull();
    assertThat(nextEvent("lock-doc:kept", LocksVerticle.LOCK_STATUS).getValue("holder")).isNull();
  }

  @Test
  void an_expired_lock_taken_over_by_acquire_tells_its_old_holder() {
    redeployWithoutSweep(); // a sweep would free it too; an acquire that comes first tells the old holder
    ann.request(Addresses.LOCKS_ACQUIRE, resource("doc:1"));
    nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS);
    clock.advanceMillis(OPTIONS.ttlMs() + 1);

    assertThat(bob.request(Addresses.LOCKS_ACQUIRE, resource("doc:1")).getBoolean("okToEdit")).isTrue();

    assertThat(nextEvent("client-" + ann.sessionId, LocksVerticle.LOCK_LOST).getString("reason")).isEqualTo("expired");
    assertThat(nextEvent("lock-doc:1", LocksVerticle.LOCK_STATUS).getJsonObject("holder").getString("userId")).isEqualTo("bob");
  }
}
