package io.parley.pusher;

import io.parley.shared.Await;
import io.parley.shared.FailureLog;
import io.parley.shared.MutableClock;
import io.parley.shared.TestRedis;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link RedisWebhookQueue} against the {@link WebhookQueue} contract on a real Redis (see {@link TestRedis}). */
class RedisWebhookQueueTest extends WebhookQueueContract {

  @RegisterExtension
  static final TestRedis.Fixture server = new TestRedis.Fixture();

  @Override
  protected WebhookQueue createQueue(MutableClock clock) {
    return Await.result(RedisWebhookQueue.create(server.redis(), server.freshPrefix(), clock, FailureLog.fallback()));
  }
}
