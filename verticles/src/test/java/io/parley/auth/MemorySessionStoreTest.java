package io.parley.auth;

import io.parley.shared.MutableClock;

import java.time.Duration;

/** The in-memory store against the {@link SessionStore} contract. */
class MemorySessionStoreTest extends SessionStoreContract {

  @Override
  protected SessionStore createStore(MutableClock clock, Duration ttl) {
    return new MemorySessionStore(clock, ttl.toMillis());
  }
}
