package io.parley.bridge;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The open connections of one bridge instance, and which user each belongs to once
 * authenticated: what the node-wide closes (a user's revocation, the node's eviction, its
 * shutdown) go through. Used from the bridge instance's event loop only.
 */
final class Connections {

  private final BridgeMetrics metrics;
  private final Set<Connection> open = new LinkedHashSet<>();
  private final Map<String, Set<Connection>> byUser = new HashMap<>();
  private boolean stopping;

  Connections(BridgeMetrics metrics) {
    this.metrics = metrics;
  }

  void opened(Connection connection) {
    open.add(connection);
    metrics.socketOpened();
  }

  void authenticated(Connection connection, String userId) {
    byUser.computeIfAbsent(userId, u -> new HashSet<>()).add(connection);
  }

  void closed(Connection connection, String userId) {
    if (open.remove(connection)) {
      metrics.socketClosed();
    }
    Set<Connection> same = userId == null ? null : byUser.get(userId);
    if (same != null && same.remove(connection) && same.isEmpty()) {
      byUser.remove(userId);
    }
  }

  /** A copy: what is done to each may close it, which removes it from here. */
  List<Connection> all() {
    return List.copyOf(open);
  }

  List<Connection> ofUser(String userId) {
    return List.copyOf(byUser.getOrDefault(userId, Set.of()));
  }

  /**
   * The node is shutting this bridge down: connections that close now do not leave their
   * rooms one by one (see {@link Connection}'s close).
   */
  void stop() {
    stopping = true;
  }

  boolean stopping() {
    return stopping;
  }
}
