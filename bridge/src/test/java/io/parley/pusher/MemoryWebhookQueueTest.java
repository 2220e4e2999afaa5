package io.parley.pusher;

import io.parley.shared.MutableClock;

/** The in-memory queue against the {@link WebhookQueue} contract. */
class MemoryWebhookQueueTest extends WebhookQueueContract {

  @Override
  protected WebhookQueue createQueue(MutableClock clock) {
    return new MemoryWebhookQueue(clock);
  }
}
