package io.parley.bridge;

import io.parley.pusher.PusherOptions;
import io.parley.rooms.RoomPolicy;
import io.parley.rooms.RoomPublisher;
import io.parley.shared.FailureLog;
import io.vertx.core.eventbus.EventBus;

import java.time.Clock;

/**
 * What every connection of a bridge instance works with, built once per instance and handed to
 * each {@link Connection} and {@link PusherConnection}: the limits, the API keys of services, the
 * room policy, the Pusher apps, the bus and how requests are routed on it, the node's room
 * publisher (a Pusher client event's way into a room), this instance's rooms and connections,
 * the meters, the node's failure log and the clock.
 *
 * @param nodeId        this node as rooms know it: its connections leave their rooms if it dies
 * @param authTimeoutMs how long a new socket may take to send {@code auth.authenticate}
 * @param apiKeys       the keys a service may authenticate with
 */
record ConnectionContext(BridgeOptions options, long authTimeoutMs, ApiKeys apiKeys, RoomPolicy policy, PusherOptions pusher,
                         RoomPublisher publisher, EventBus bus,
                         ServiceRequests routing, LocalRooms rooms, NotificationFanOut notifications,
                         Connections connections, BridgeMetrics metrics, FailureLog failures, Clock clock, String nodeId) {

  long now() {
    return clock.millis();
  }
}
