package io.parley.pusher;

import io.vertx.core.Future;

import java.util.List;

/**
 * The webhooks the cluster decided to send and has not delivered yet, shared by every node
 * ({@code docs/pusher-webhooks.md}): a decided webhook stays here until a node delivered it, so a
 * node dying with it in hand does not lose it.
 *
 * <p>Contract, checked by {@code WebhookQueueContract} against every implementation (time is the
 * store's injected clock):
 * <ul>
 *   <li><b>A job is due at the time it was scheduled for</b>, and {@link #claim} hands out due
 *       jobs only, those due first first.</li>
 *   <li><b>A claim is a lease.</b> A claimed job goes to no other claimer for {@code leaseMs};
 *       then it is due again, with the same id, for the case the claimer died with it. Each due
 *       job goes to exactly one claimer however claims race.</li>
 *   <li><b>A job that waits can be cancelled.</b> A job scheduled with a cancel key is cancelled
 *       by {@link #cancelOrSchedule} with that key while it is not yet due and not claimed; once
 *       due it is sent, and the new job is scheduled instead. Deciding that is one atomic step.</li>
 *   <li><b>Complete and retry are the claimer's answer.</b> {@link #complete} removes the job
 *       for good; {@link #retry} makes it due again later, one attempt more, its first due time
 *       kept (the retry budget counts from it). Either on a job already gone does nothing.</li>
 * </ul>
 */
public interface WebhookQueue {

  /**
   * A claimed job.
   *
   * @param id         the job's id, for {@link #complete} and {@link #retry}
   * @param payload    what was scheduled, as it was given
   * @param attempts   failed deliveries so far (0 at the first claim)
   * @param firstDueAt when the job was first due (epoch millis)
   */
  record Job(String id, String payload, int attempts, long firstDueAt) {
  }

  /**
   * Adds a job due {@code delayMs} from now. With a {@code cancelKey} (or null for none), a later
   * {@link #cancelOrSchedule} with the same key cancels it while it waits.
   */
  Future<Void> schedule(String payload, long delayMs, String cancelKey);

  /**
   * One atomic step: when the job scheduled under {@code cancelKey} is still waiting (not due, not
   * claimed), removes it and answers true, scheduling nothing; otherwise adds {@code payload}, due
   * now (nothing when it is null: only cancel), and answers false.
   */
  Future<Boolean> cancelOrSchedule(String cancelKey, String payload);

  /** Claims at most {@code max} due jobs, due first first, each for {@code leaseMs}. */
  Future<List<Job>> claim(int max, long leaseMs);

  /** The job was delivered (or given up): it is removed. */
  Future<Void> complete(String id);

  /** The delivery failed: the job is due again {@code delayMs} from now, one attempt more. */
  Future<Void> retry(String id, long delayMs);

  default Future<Void> close() {
    return Future.succeededFuture();
  }
}
