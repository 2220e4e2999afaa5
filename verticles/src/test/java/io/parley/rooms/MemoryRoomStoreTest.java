package io.parley.rooms;

import io.parley.shared.Envelope;
import io.parley.shared.MutableClock;

import java.util.function.Consumer;

/** The in-memory store against the {@link RoomStore} contract; no Vertx, so no sweep timer runs. */
class MemoryRoomStoreTest extends RoomStoreContract {

  @Override
  protected RoomStore createStore(RoomsOptions.HistoryPolicy policy, MutableClock clock, Consumer<EncodedEnvelope> delivery) {
    return new MemoryRoomStore(null, clock, policy, delivery);
  }
}
