package io.parley.notifications;

import io.vertx.core.Future;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@link NotificationStore} for a single node, lost on restart. One monitor guards everything,
 * so each operation is one atomic step, as the contract asks.
 */
public final class MemoryNotificationStore implements NotificationStore {

  private static final class Session {
    final TreeSet<String> topics = new TreeSet<>();
    long version;
    long seenAt;
  }

  private final Clock clock;
  private final long ttlMs;
  private final long sessionTtlMs;
  /** The stream in id order. */
  private final TreeMap<Long, Notification> stream = new TreeMap<>();
  private final Map<String, Long> expiredThrough = new HashMap<>();
  private final Map<String, Session> sessions = new HashMap<>();
  private long nextId = 1;

  public MemoryNotificationStore(Clock clock, NotificationsOptions options) {
    this.clock = clock;
    this.ttlMs = options.ttlMs();
    this.sessionTtlMs = options.sessionTtlMs();
  }

  @Override
  public synchronized Future<Notification> store(Draft draft) {
    long now = clock.millis();
    Notification stored = new Notification(nextId++, draft.topic().value(), draft.data(), draft.originSessionId(), now, now + ttlMs);
    stream.put(stored.id(), stored);
    return Future.succeededFuture(stored);
  }

  @Override
  public synchronized Future<Subscriptions> subscribe(String sessionId, String userId, Set<Topic> topics, int maxTopics) {
    Session session = sessions.get(sessionId);
    TreeSet<String> after = new TreeSet<>(session == null ? Set.of() : session.topics);
    topics.forEach(topic -> after.add(topic.value()));
    if (after.size() > maxTopics) {
      return Future.failedFuture(NotificationStore.tooManyTopics(maxTopics));
    }
    session = sessions.computeIfAbsent(sessionId, id -> new Session());
    session.topics.addAll(after);
    return Future.succeededFuture(changed(session));
  }

  @Override
  public synchronized Future<Subscriptions> unsubscribe(String sessionId, Set<Topic> topics) {
    Session session = sessions.get(sessionId);
    if (session == null) {
      return Future.succeededFuture(Subscriptions.NONE);
    }
    topics.forEach(topic -> session.topics.remove(topic.value()));
    return Future.succeededFuture(changed(session));
  }

  @Override
  public synchronized Future<Subscriptions> subscriptions(String sessionId) {
    Session session = sessions.get(sessionId);
    if (session == null) {
      return Future.succeededFuture(Subscriptions.NONE);
    }
    session.seenAt = clock.millis();
    return Future.succeededFuture(snapshot(session));
  }

  @Override
  public synchronized Future<Replay> since(String sessionId, long sinceId, int limit) {
    Session session = sessions.get(sessionId);
    if (session == null) {
      return Future.succeededFuture(new Replay(List.of(), true, false));
    }
    long now = clock.millis();
    boolean complete = session.topics.stream().allMatch(topic -> expiredThrough.getOrDefault(topic, 0L) <= sinceId);
    List<Notification> found = new ArrayList<>();
    boolean more = false;
    for (Notification n : stream.tailMap(sinceId, false).values()) {
      if (!session.topics.contains(n.topic())) {
        continue;
      }
      if (n.expiresAt() <= now) {
        complete = false;
      } else if (!sessionId.equals(n.originSessionId())) {
        if (found.size() == limit) {
          more = true;
          break;
        }
        found.add(n);
      }
    }
    return Future.succeededFuture(new Replay(found, complete, more));
  }

  @Override
  public synchronized Future<Integer> expire(int batch) {
    long now = clock.millis();
    // oldest first: expiresAt grows with id while the time to live stays the same
    List<Notification> expired = stream.values().stream().filter(n -> n.expiresAt() <= now)
      .sorted((a, b) -> Long.compare(a.expiresAt(), b.expiresAt())).limit(batch).toList();
    for (Notification n : expired) {
      stream.remove(n.id());
      expiredThrough.merge(n.topic(), n.id(), Math::max);
    }
    return Future.succeededFuture(expired.size());
  }

  @Override
  public synchronized Future<Integer> forgetSessions(int batch) {
    long unseenSince = clock.millis() - sessionTtlMs;
    int forgotten = 0;
    for (Iterator<Session> it = sessions.values().iterator(); it.hasNext() && forgotten < batch; ) {
      if (it.next().seenAt <= unseenSince) {
        it.remove();
        forgotten++;
      }
    }
    return Future.succeededFuture(forgotten);
  }

  private Subscriptions changed(Session session) {
    session.version++;
    session.seenAt = clock.millis();
    return snapshot(session);
  }

  private static Subscriptions snapshot(Session session) {
    return new Subscriptions(List.copyOf(session.topics), session.version);
  }
}
