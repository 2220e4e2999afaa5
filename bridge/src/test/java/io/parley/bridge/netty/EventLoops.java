package io.parley.bridge.netty;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** For tests: what a saturated node looks like, reached through Vert.x's internals. */
public final class EventLoops {

  /** Blocks every event loop of {@code vertx} at once for {@code millis}, as saturation would. */
  public static void stallEveryEventLoop(Vertx vertx, long millis) throws InterruptedException {
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).eventLoopGroup().forEach(loops::add);
    CountDownLatch stalled = new CountDownLatch(loops.size());
    CountDownLatch released = new CountDownLatch(loops.size());
    for (EventExecutor loop : loops) {
      loop.execute(() -> {
        stalled.countDown();
        try {
          Thread.sleep(millis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        released.countDown();
      });
    }
    assertThat(stalled.await(10, TimeUnit.SECONDS)).as("every event loop stalled").isTrue();
    assertThat(released.await(millis + 10_000, TimeUnit.MILLISECONDS)).isTrue();
  }

  private EventLoops() {
  }
}
