package io.parley.bridge;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The open sockets of one bridge instance, of either protocol, and who each belongs to once
 * known: a bridge connection's authenticated user (for a revocation), a Pusher socket's
 * signed-in user of its app (for {@code parley.pusher.terminate}). What the node-wide closes (a
 * user's revocation or termination, the node's eviction, its shutdown) go through. Used from the
 * bridge instance's event loop only.
 */
final class Connections {

  private final BridgeMetrics metrics;
  private final Set<BridgeSocket> open = new LinkedHashSet<>();
  /** Parley users (their tokens' subject) → their bridge connections. */
  private final Owners<BridgeSocket> users = new Owners<>();
  /** {@code <app id>/<user id>} → the Pusher sockets signed in as that user of that app. */
  private final Owners<PusherConnection> pusherUsers = new Owners<>();
  private boolean stopping;

  Connections(BridgeMetrics metrics) {
    this.metrics = metrics;
  }

  void opened(BridgeSocket socket) {
    open.add(socket);
    metrics.socketOpened();
  }

  void authenticated(BridgeSocket socket, String userId) {
    users.add(userId, socket);
  }

  void signedIn(PusherConnection socket, String appId, String userId) {
    pusherUsers.add(appId + "/" + userId, socket);
  }

  /**
   * @param userId the Parley user it authenticated as, or null
   * @param pusherUser the Pusher app and user ({@code <app id>/<user id>}) it signed in as, or null
   */
  void closed(BridgeSocket socket, String userId, String pusherUser) {
    if (open.remove(socket)) {
      metrics.socketClosed();
    }
    users.remove(userId, socket);
    pusherUsers.remove(pusherUser, socket);
  }

  /** A copy: what is done to each may close it, which removes it from here. */
  List<BridgeSocket> all() {
    return List.copyOf(open);
  }

  List<BridgeSocket> ofUser(String userId) {
    return users.of(userId);
  }

  List<PusherConnection> ofPusherUser(String appId, String userId) {
    return pusherUsers.of(appId + "/" + userId);
  }

  /**
   * The node is shutting this bridge down: sockets that close now do not leave their
   * rooms one by one (see {@link Connection}'s close).
   */
  void stop() {
    stopping = true;
  }

  boolean stopping() {
    return stopping;
  }

  /** Sockets by who owns them. */
  private static final class Owners<S extends BridgeSocket> {
    private final Map<String, Set<S>> byOwner = new HashMap<>();

    void add(String owner, S socket) {
      byOwner.computeIfAbsent(owner, o -> new HashSet<>()).add(socket);
    }

    void remove(String owner, BridgeSocket socket) {
      Set<S> same = owner == null ? null : byOwner.get(owner);
      if (same != null && same.remove(socket) && same.isEmpty()) {
        byOwner.remove(owner);
      }
    }

    List<S> of(String owner) {
      return List.copyOf(byOwner.getOrDefault(owner, Set.of()));
    }
  }
}
