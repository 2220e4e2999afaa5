package io.parley.auth;

import io.parley.shared.FailureLog;
import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import io.parley.shared.TestRedis;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RedisSessionStore} against the {@link SessionStore} contract on a real Redis (see {@link TestRedis}). */
class RedisSessionStoreTest extends SessionStoreContract {

  @RegisterExtension
  static final TestRedis.Fixture server = new TestRedis.Fixture();

  private final String prefix = server.freshPrefix();
  private SessionStore store;

  @Override
  protected SessionStore createStore(MutableClock clock, Duration ttl) {
    store = Await.result(RedisSessionStore.create(server.redis(), prefix, clock, ttl.toMillis(), FailureLog.fallback()));
    return store;
  }

  @Test
  void a_user_id_containing_the_separator_owns_its_session() {
    assertThat(Await.result(store.claim("s1", "auth0|123"))).isFalse();

    assertThat(Await.result(store.claim("s1", "auth0|123"))).isTrue();
    assertThat(Await.failure(store.claim("s1", "auth0"))).isInstanceOfSatisfying(ReplyException.class,
      e -> assertThat(e.failureCode()).isEqualTo(403));
  }

  @Test
  void a_session_key_expires_in_redis_only_after_the_ttl_and_revocations_never() {
    Await.result(store.claim("s1", "alice"));
    Await.result(store.revoke("alice", 1_000L));

    long sessionTtl = Await.result(server.redis().send(Request.cmd(Command.PTTL).arg(prefix + "session:s1"))).toLong();
    long revokedTtl = Await.result(server.redis().send(Request.cmd(Command.PTTL).arg(prefix + "revoked"))).toLong();

    assertThat(sessionTtl).isGreaterThan(TTL.toMillis());
    assertThat(revokedTtl).isEqualTo(-1); // no expiry
  }
}
