package io.parley.rooms;

import io.parley.shared.Await;
import io.parley.shared.Envelope;
import io.parley.shared.EventNames;
import io.parley.shared.MutableClock;
import io.parley.shared.RoomName;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The {@link RoomStore} contract for stores that several nodes share (Redis): on top of the
 * single-store contract, what two nodes over the same state see.
 */
abstract class SharedRoomStoreContract extends RoomStoreContract {

  /**
   * Another store over the same shared state as {@code store}, as a second node sees it (for
   * Redis: the same server and key prefix), delivering to its own {@code delivery}.
   */
  protected abstract RoomStore createPeer(RoomStore store, RoomsOptions.HistoryPolicy policy, MutableClock clock,
                                          Consumer<EncodedEnvelope> delivery);

  protected RoomStore openPeer(RoomStore of, Consumer<EncodedEnvelope> delivery) {
    RoomStore peer = createPeer(of, DEFAULT_POLICY, clock, delivery);
    closeAfterTest(peer);
    return peer;
  }

  // ---------------------------------------------------------------- several nodes

  @Test
  void every_node_hears_every_envelope_in_the_order_the_store_accepted_them() {
    DeliverySink peerDelivered = new DeliverySink();
    RoomStore peer = openPeer(store(), peerDelivered);
    joinOn(store(), ROOM, "u1", "c1", "node-a");

    List<Envelope> accepted = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      accepted.add(publish(i % 2 == 0 ? store() : peer, ROOM, "item.updated"));
    }
    Envelope presence = Envelope.presence(ROOM.value(), EventNames.PRESENCE_LEAVE, "u1", nameOf("u1"), clock.millis());
    Await.result(peer.announce(presence));
    accepted.add(presence);

    assertThat(accepted.subList(0, 10)).extracting(Envelope::offset)
      .containsExactlyElementsOf(LongStream.rangeClosed(1, 10).boxed().toList());
    assertThat(delivered.awaitCount(11)).containsExactlyElementsOf(accepted);
    assertThat(peerDelivered.awaitCount(11)).containsExactlyElementsOf(accepted);
    assertThat(state(peer, ROOM)).isEqualTo(state(store(), ROOM));
    assertThat(presenceOf(peer, ROOM, "u1").connections()).isEqualTo(1);
  }

  @Test
  void two_nodes_evicting_the_same_dead_nodes_at_once_report_each_departure_once() throws Exception {
    RoomStore peer = openPeer(store(), new DeliverySink());
    int deadNodes = 4;
    int rooms = 10;
    List<Tuple> expected = new ArrayList<>();
    for (int n = 0; n < deadNodes; n++) {
      Await.result(store().renewLease("dead-" + n, 1_000));
      for (int r = 0; r < rooms; r++) {
        joinOn(store(), RoomName.of("room-" + r), "u" + n, "c" + n + "-" + r, "dead-" + n);
        expected.add(tuple("room-" + r, "u" + n));
      }
    }
    Await.result(peer.renewLease("alive", 60_000));
    joinOn(peer, RoomName.of("room-0"), "survivor", "c-alive", "alive");
    clock.advanceMillis(1_001);

    List<RoomStore.Departure> departures = runConcurrently(2, thread -> {
      RoomStore mine = thread == 0 ? store() : peer;
      List<RoomStore.Departure> all = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        all.addAll(Await.result(mine.evictExpiredNodes()));
      }
      return all;
    });

    assertThat(departures)
      .extracting(d -> d.room().value(), d -> d.member().userId())
      .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(state(store(), RoomName.of("room-0")).members()).extracting(RoomState.Presence::userId)
      .containsExactly("survivor");
    assertThat(state(peer, RoomName.of("room-1"))).isNull();
  }

}
