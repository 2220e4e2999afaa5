package io.parley.rooms;

import io.parley.shared.Await;
import io.parley.shared.Envelope;
import io.parley.shared.MutableClock;
import io.parley.shared.RoomName;
import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one check every publish on a node passes: a client publishes only the declared client
 * events, server code any well-formed event, and a refused publish stores and delivers nothing.
 */
class RoomPublisherTest {

  private final DeliverySink delivered = new DeliverySink();
  private final MemoryRoomStore store = new MemoryRoomStore(null, new MutableClock(),
    RoomsOptions.fromConfig(new JsonObject()).history(), delivered);
  private final RoomPublisher publisher = new RoomPublisher(store, Set.of("task.update"));
  private final Envelope.From ann = new Envelope.From("ann", "ann-tab");

  @Test
  void a_client_publishes_only_declared_events_and_server_code_any_well_formed_one() {
    Envelope fromAnn = Await.result(publisher.publish("board-1", "task.update", 1, ann));
    Envelope fromServer = Await.result(publisher.publish("board-1", "lock.granted", 2));

    assertThat(fromAnn.from()).isEqualTo(ann);
    assertThat(fromServer.from()).as("a server event").isNull();
    assertThat(fromServer.offset()).isEqualTo(fromAnn.offset() + 1);
    assertThat(code(publisher.publish("board-1", "lock.granted", 3, ann))).as("not a client event").isEqualTo(403);
    assertThat(delivered.awaitCount(2)).extracting(Envelope::data).containsExactly(1, 2);
  }

  @Test
  void a_publish_whose_event_the_caller_checked_is_attributed_to_its_sender_and_still_needs_well_formed_names() {
    Envelope.From pusherSocket = new Envelope.From(null, "123.456");

    Envelope published = Await.result(publisher.publishAs("board-1", "lock.granted", 1, pusherSocket));

    assertThat(published.from()).as("the sender, for the delivery to skip").isEqualTo(pusherSocket);
    assertThat(code(publisher.publishAs("board-1", "lock granted", 2, pusherSocket))).isEqualTo(400);
    Envelope clientEvent = Await.result(publisher.publishAs("board-1", "client-typing", true, ann));
    assertThat(clientEvent.from()).as("a client's, though not a declared client event").isEqualTo(ann);
    assertThat(clientEvent.offset()).as("in the room's stream").isEqualTo(2);
    assertThat(delivered.awaitCount(2)).extracting(Envelope::from).containsExactly(pusherSocket, ann);
  }

  @Test
  void a_bad_room_or_event_name_is_a_400_and_nothing_is_stored() {
    assertThat(code(publisher.publish("bad room", "task.update", 1))).isEqualTo(400);
    assertThat(code(publisher.publish("board-1", "task update", 1))).isEqualTo(400);
    assertThat(code(publisher.publish("board-1", "x".repeat(65), 1))).isEqualTo(400);
    assertThat(code(publisher.publish("board-1", null, 1, ann))).isEqualTo(400);

    assertThat(Await.result(store.state(RoomName.of("board-1")))).as("no history, no members").isNull();
    assertThat(delivered.all()).isEmpty();
  }

  private static int code(Future<?> publish) {
    return ((ReplyException) Await.failure(publish)).failureCode();
  }
}
