package io.parley.bench;

import java.util.UUID;

/** One browser tab on the bridge: its index among the run's tabs, its session, its socket once connected. */
class BridgeTab {
  final int index;
  final String sessionId = UUID.randomUUID().toString();
  BridgeSocket socket;

  BridgeTab(int index) {
    this.index = index;
  }

  boolean open() {
    return socket != null && !socket.isClosed();
  }
}
