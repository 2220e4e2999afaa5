package io.parley.pusher;

import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link WebhookQueue} contract. Every implementation gets a test class that extends this one
 * and says how to build a queue. Time is a {@link MutableClock} the queue reads for every due
 * time and lease, so waiting is tested by moving the clock, never by sleeping.
 */
abstract class WebhookQueueContract {

  private static final long LEASE_MS = 30_000;
  private static final long WINDOW_MS = 3_000;

  /** A new, empty queue that shares nothing with other tests' queues, reading {@code clock}. */
  protected abstract WebhookQueue createQueue(MutableClock clock);

  protected final MutableClock clock = new MutableClock();
  private final WebhookQueue queue = createQueue(clock);

  @Test
  void a_job_scheduled_now_is_claimed_with_its_payload_at_its_first_attempt() {
    schedule("occupied", 0, null);

    assertThat(claim()).singleElement().satisfies(job -> {
      assertThat(job.payload()).isEqualTo("occupied");
      assertThat(job.attempts()).isZero();
      assertThat(job.firstDueAt()).isEqualTo(clock.millis());
    });
  }

  @Test
  void a_delayed_job_is_not_due_before_its_delay_ran_out() {
    schedule("vacated", WINDOW_MS, "room-1");

    clock.advanceMillis(WINDOW_MS - 1);
    assertThat(claim()).isEmpty();
    clock.advanceMillis(1);
    assertThat(claim()).extracting(WebhookQueue.Job::payload).containsExactly("vacated");
  }

  @Test
  void due_jobs_are_handed_out_due_first_first_and_at_most_as_many_as_asked() {
    schedule("third", 300, null);
    schedule("first", 100, null);
    schedule("second", 200, null);
    clock.advanceMillis(300);

    assertThat(Await.result(queue.claim(2, LEASE_MS))).extracting(WebhookQueue.Job::payload).containsExactly("first", "second");
    assertThat(claim()).extracting(WebhookQueue.Job::payload).containsExactly("third");
  }

  @Test
  void a_claimed_job_goes_to_no_one_else_during_its_lease_and_is_due_again_after_it() {
    schedule("added", 0, null);
    WebhookQueue.Job claimed = claim().get(0);

    clock.advanceMillis(LEASE_MS - 1);
    assertThat(claim()).as("while its claimer may still be delivering it").isEmpty();
    clock.advanceMillis(1);
    assertThat(claim()).as("its claimer died with it").singleElement().satisfies(job -> {
      assertThat(job.id()).isEqualTo(claimed.id());
      assertThat(job.payload()).isEqualTo("added");
    });
  }

  @Test
  void a_completed_job_is_gone_for_good() {
    schedule("added", 0, null);
    WebhookQueue.Job job = claim().get(0);

    Await.result(queue.complete(job.id()));
    clock.advanceMillis(LEASE_MS * 2);

    assertThat(claim()).isEmpty();
  }

  @Test
  void a_retried_job_is_due_again_after_its_delay_one_attempt_more_with_its_first_due_time_kept() {
    schedule("added", 0, null);
    long firstDue = clock.millis();
    WebhookQueue.Job job = claim().get(0);
    clock.advanceMillis(500);

    Await.result(queue.retry(job.id(), 1_000));
    clock.advanceMillis(999);
    assertThat(claim()).isEmpty();
    clock.advanceMillis(1);

    assertThat(claim()).singleElement().satisfies(again -> {
      assertThat(again.id()).isEqualTo(job.id());
      assertThat(again.attempts()).isEqualTo(1);
      assertThat(again.firstDueAt()).isEqualTo(firstDue);
    });
  }

  @Test
  void complete_and_retry_of_a_job_already_gone_do_nothing() {
    schedule("added", 0, null);
    WebhookQueue.Job job = claim().get(0);
    Await.result(queue.complete(job.id()));

    Await.result(queue.retry(job.id(), 0));
    Await.result(queue.complete(job.id()));
    Await.result(queue.complete("never-scheduled"));

    assertThat(claim()).isEmpty();
  }

  @Test
  void a_waiting_job_is_cancelled_by_its_key_and_nothing_is_scheduled_instead() {
    schedule("vacated", WINDOW_MS, "room-1");
    clock.advanceMillis(WINDOW_MS - 1);

    assertThat(Await.result(queue.cancelOrSchedule("room-1", "occupied"))).isTrue();

    clock.advanceMillis(LEASE_MS);
    assertThat(claim()).isEmpty();
  }

  @Test
  void with_nothing_waiting_under_the_key_the_new_job_is_scheduled_now() {
    schedule("vacated", WINDOW_MS, "room-2");

    assertThat(Await.result(queue.cancelOrSchedule("room-1", "occupied"))).isFalse();

    assertThat(claim()).extracting(WebhookQueue.Job::payload).containsExactly("occupied");
  }

  @Test
  void without_a_payload_it_only_cancels() {
    schedule("vacated", WINDOW_MS, "room-1");
    assertThat(Await.result(queue.cancelOrSchedule("room-1", null))).isTrue();
    assertThat(Await.result(queue.cancelOrSchedule("room-1", null))).as("nothing left to cancel").isFalse();

    clock.advanceMillis(WINDOW_MS);
    assertThat(claim()).isEmpty();
  }

  @Test
  void a_job_already_due_is_not_cancelled_and_both_are_sent() {
    schedule("vacated", WINDOW_MS, "room-1");
    clock.advanceMillis(WINDOW_MS);

    assertThat(Await.result(queue.cancelOrSchedule("room-1", "occupied"))).isFalse();

    assertThat(claim()).extracting(WebhookQueue.Job::payload).containsExactlyInAnyOrder("vacated", "occupied");
  }

  @Test
  void a_claimed_job_is_not_cancelled_even_when_retried_for_later() {
    schedule("vacated", WINDOW_MS, "room-1");
    clock.advanceMillis(WINDOW_MS);
    WebhookQueue.Job job = claim().get(0);
    Await.result(queue.retry(job.id(), 60_000));

    assertThat(Await.result(queue.cancelOrSchedule("room-1", "occupied"))).isFalse();

    WebhookQueue.Job occupied = claim().get(0);
    assertThat(occupied.payload()).isEqualTo("occupied");
    Await.result(queue.complete(occupied.id()));
    clock.advanceMillis(60_000);
    assertThat(claim()).extracting(WebhookQueue.Job::payload).containsExactly("vacated");
  }

  @Test
  void a_job_cancelled_once_cannot_be_cancelled_again() {
    schedule("vacated", WINDOW_MS, "room-1");

    assertThat(Await.result(queue.cancelOrSchedule("room-1", "occupied"))).isTrue();
    assertThat(Await.result(queue.cancelOrSchedule("room-1", "occupied"))).isFalse();

    assertThat(claim()).extracting(WebhookQueue.Job::payload).containsExactly("occupied");
  }

  @Test
  void a_cancel_key_names_the_last_job_scheduled_with_it() {
    schedule("vacated", WINDOW_MS, "room-1");
    clock.advanceMillis(WINDOW_MS);
    Await.result(queue.complete(claim().get(0).id()));
    schedule("vacated again", WINDOW_MS, "room-1");

    assertThat(Await.result(queue.cancelOrSchedule("room-1", "occupied"))).isTrue();

    clock.advanceMillis(WINDOW_MS);
    assertThat(claim()).isEmpty();
  }

  @Test
  void racing_claims_hand_each_due_job_to_exactly_one_claimer() throws Exception {
    int jobs = 200;
    for (int i = 0; i < jobs; i++) {
      schedule("job-" + i, 0, null);
    }

    List<String> claimed = runConcurrently(4, () -> {
      List<String> mine = new ArrayList<>();
      for (List<WebhookQueue.Job> batch = claimBatch(7); !batch.isEmpty(); batch = claimBatch(7)) {
        batch.forEach(job -> mine.add(job.payload()));
      }
      return mine;
    });

    assertThat(claimed).hasSize(jobs).doesNotHaveDuplicates();
  }

  @Test
  void racing_cancels_of_one_waiting_job_cancel_it_once() throws Exception {
    schedule("vacated", WINDOW_MS, "room-1");

    List<Boolean> cancelled = runConcurrently(4, () -> List.of(Await.result(queue.cancelOrSchedule("room-1", "occupied"))));

    assertThat(cancelled).containsOnlyOnce(true);
    assertThat(claim()).extracting(WebhookQueue.Job::payload).containsExactly("occupied", "occupied", "occupied");
  }

  // ---------------------------------------------------------------- helpers

  private void schedule(String payload, long delayMs, String cancelKey) {
    Await.result(queue.schedule(payload, delayMs, cancelKey));
  }

  private List<WebhookQueue.Job> claim() {
    return claimBatch(100);
  }

  private List<WebhookQueue.Job> claimBatch(int max) {
    return Await.result(queue.claim(max, LEASE_MS));
  }

  private static <T> List<T> runConcurrently(int threads, java.util.concurrent.Callable<List<T>> worker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<List<T>>> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        running.add(pool.submit(() -> {
          start.await();
          return worker.call();
        }));
      }
      start.countDown();
      List<T> all = new ArrayList<>();
      for (java.util.concurrent.Future<List<T>> r : running) {
        all.addAll(r.get(Await.TIMEOUT_SECONDS * 4, TimeUnit.SECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }
}
