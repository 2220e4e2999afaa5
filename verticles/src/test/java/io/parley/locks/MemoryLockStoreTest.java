package io.parley.locks;

import io.parley.shared.MutableClock;

/** The in-memory store against the {@link LockStore} contract; a store of one node is its own peer. */
class MemoryLockStoreTest extends LockStoreContract {

  @Override
  protected LockStore createStore(MutableClock clock, LocksOptions options) {
    return new MemoryLockStore(clock, options);
  }

  @Override
  protected LockStore createPeer(LockStore store, MutableClock clock, LocksOptions options) {
    return store;
  }
}
