package io.parley.notifications;

import io.parley.shared.MutableClock;

/** The in-memory store against the {@link NotificationStore} contract; a store of one node is its own peer. */
class MemoryNotificationStoreTest extends NotificationStoreContract {

  @Override
  protected NotificationStore createStore(MutableClock clock, NotificationsOptions options) {
    return new MemoryNotificationStore(clock, options);
  }

  @Override
  protected NotificationStore createPeer(NotificationStore store, MutableClock clock, NotificationsOptions options) {
    return store;
  }
}
