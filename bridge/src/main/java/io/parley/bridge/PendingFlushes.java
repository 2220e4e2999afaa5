package io.parley.bridge;

import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * The sockets that were queued deliveries since the last flush, each listed once: they are
 * flushed together after everything already queued on the event loop has run, so a burst of
 * deliveries to one socket costs one flush (one system call), not one per delivery. Queueing a
 * fan-out's frame on every socket first and flushing them after is also faster for a single
 * message than flushing each socket as its frame is queued (bench/README.md, tail latency).
 */
final class PendingFlushes {

  private final Context context;
  private final List<BridgeSocket> pending = new ArrayList<>();

  PendingFlushes(Context context) {
    this.context = context;
  }

  void add(BridgeSocket connection) {
    if (!connection.markFlushPending()) {
      return;
    }
    if (pending.isEmpty()) {
      context.runOnContext(v -> flushAll());
    }
    pending.add(connection);
  }

  private void flushAll() {
    FlushEvent event = new FlushEvent();
    event.begin();
    for (BridgeSocket queued : pending) {
      queued.flush();
    }
    if (event.shouldCommit()) {
      event.sockets = pending.size();
      event.commit();
    }
    pending.clear();
  }
}
