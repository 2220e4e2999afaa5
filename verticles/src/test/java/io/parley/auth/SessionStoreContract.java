package io.parley.auth;

import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import io.vertx.core.eventbus.ReplyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link SessionStore} contract. Every implementation gets a test class that extends this
 * one and says how to build a store; time is a {@link MutableClock}, never a sleep.
 */
public abstract class SessionStoreContract {

  protected static final Duration TTL = Duration.ofMinutes(30);

  /**
   * A new, empty store that shares no state with the stores of other tests, forgets a session
   * not claimed for {@code ttl} as measured by {@code clock}. The suite closes it after the test.
   */
  protected abstract SessionStore createStore(MutableClock clock, Duration ttl);

  protected final MutableClock clock = new MutableClock();
  private SessionStore store;

  @BeforeEach
  void openStore() {
    store = createStore(clock, TTL);
  }

  @AfterEach
  void closeStore() {
    Await.result(store.close());
  }

  @Test
  void first_claim_of_a_session_is_not_a_resume() {
    assertThat(claim("s1", "alice")).isFalse();
  }

  @Test
  void claiming_a_session_again_as_its_user_is_a_resume() {
    claim("s1", "alice");

    assertThat(claim("s1", "alice")).isTrue();
    assertThat(claim("s1", "alice")).isTrue();
  }

  @Test
  void claiming_another_users_session_fails_with_403() {
    claim("s1", "alice");

    Throwable failure = Await.failure(store.claim("s1", "mallory"));

    assertThat(failure).isInstanceOfSatisfying(ReplyException.class,
      e -> assertThat(e.failureCode()).isEqualTo(403));
  }

  @Test
  void a_refused_claim_leaves_the_session_with_its_user() {
    claim("s1", "alice");

    Await.failure(store.claim("s1", "mallory"));

    assertThat(claim("s1", "alice")).isTrue();
    assertThat(Await.failure(store.claim("s1", "mallory"))).isInstanceOf(ReplyException.class);
  }

  @Test
  void sessions_are_independent() {
    claim("s1", "alice");

    assertThat(claim("s2", "bob")).isFalse();
    assertThat(claim("s3", "alice")).isFalse();
    assertThat(claim("s1", "alice")).isTrue();
  }

  @Test
  void a_session_not_claimed_for_its_ttl_is_forgotten() {
    claim("s1", "alice");

    clock.advance(TTL.plusMillis(1));

    assertThat(claim("s1", "alice")).isFalse();
  }

  @Test
  void a_forgotten_session_can_be_claimed_by_anyone_as_new() {
    claim("s1", "alice");
    clock.advance(TTL.plusMillis(1));

    assertThat(claim("s1", "bob")).isFalse();
    assertThat(Await.failure(store.claim("s1", "alice"))).isInstanceOfSatisfying(ReplyException.class,
      e -> assertThat(e.failureCode()).isEqualTo(403));
  }

  @Test
  void claiming_a_session_refreshes_its_ttl() {
    claim("s1", "alice");
    clock.advance(TTL.minusMinutes(1));
    claim("s1", "alice");

    clock.advance(TTL.minusMinutes(1)); // well past the first claim's TTL, within the second's

    assertThat(claim("s1", "alice")).isTrue();
  }

  @Test
  void revoked_at_is_the_time_of_the_revocation() {
    Await.result(store.revoke("alice", 1_000L));

    assertThat(Await.result(store.revokedAt("alice"))).isEqualTo(1_000L);
  }

  @Test
  void a_later_revocation_moves_revoked_at_forward() {
    Await.result(store.revoke("alice", 1_000L));
    Await.result(store.revoke("alice", 2_000L));

    assertThat(Await.result(store.revokedAt("alice"))).isEqualTo(2_000L);
  }

  @Test
  void an_earlier_revocation_never_lowers_revoked_at() {
    Await.result(store.revoke("alice", 2_000L));
    Await.result(store.revoke("alice", 1_000L));

    assertThat(Await.result(store.revokedAt("alice"))).isEqualTo(2_000L);
  }

  @Test
  void revoked_at_of_a_user_never_revoked_is_zero() {
    Await.result(store.revoke("alice", 1_000L));

    assertThat(Await.result(store.revokedAt("bob"))).isZero();
  }

  private boolean claim(String sessionId, String userId) {
    return Await.result(store.claim(sessionId, userId));
  }
}
