package io.parley.rooms;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.parley.shared.EventNames;

import java.util.Set;

/**
 * The {@code rooms} section of the configuration.
 *
 * <pre>
 * "rooms": {
 *   "history": {"maxSize": 500, "maxAgeMs": 600000, "keepWhenEmpty": true},
 *   "clientEvents": null,          // null: the resource events of EventNames.CLIENT_PUBLISHABLE
 *   "policy": "claims",            // or "bus": ask the host application on rooms.authorize
 *   "authorizeTimeoutMs": 2000,
 *   "nodeLeaseMs": 5000,           // a killed node's members leave their rooms within ~1.2× this
 *   "presenceEventsUpTo": 1000     // presence.join/leave only in rooms with at most this many users
 * }
 * </pre>
 */
public record RoomsOptions(HistoryPolicy history, Set<String> clientEvents, String policy, long authorizeTimeoutMs,
                           long nodeLeaseMs, int presenceEventsUpTo) {

  public static final String POLICY_CLAIMS = "claims";
  public static final String POLICY_BUS = "bus";

  public RoomsOptions {
    clientEvents = Set.copyOf(clientEvents);
    if (!POLICY_CLAIMS.equals(policy) && !POLICY_BUS.equals(policy)) {
      throw new IllegalArgumentException("rooms.policy must be \"claims\" or \"bus\", not " + policy);
    }
    if (nodeLeaseMs < 500) {
      throw new IllegalArgumentException("rooms.nodeLeaseMs must be at least 500");
    }
  }

  /**
   * How much of each room's stream is kept for catch-up.
   *
   * @param maxSize       envelopes kept per room (oldest dropped first)
   * @param maxAgeMs      envelopes older than this are dropped
   * @param keepWhenEmpty keep a room's history after its last member leaves (until it ages
   *                      out); false drops the room, history and epoch, with the last member
   */
  public record HistoryPolicy(int maxSize, long maxAgeMs, boolean keepWhenEmpty) {
    public static final int DEFAULT_MAX_SIZE = 500;
    public static final long DEFAULT_MAX_AGE_MS = 600_000;

    public HistoryPolicy {
      if (maxSize < 0 || maxAgeMs < 0) {
        throw new IllegalArgumentException("rooms.history.maxSize and maxAgeMs must not be negative");
      }
    }

    public static HistoryPolicy fromConfig(JsonObject json) {
      return new HistoryPolicy(
        json.getInteger("maxSize", DEFAULT_MAX_SIZE),
        json.getLong("maxAgeMs", DEFAULT_MAX_AGE_MS),
        json.getBoolean("keepWhenEmpty", true));
    }
  }

  public static RoomsOptions fromConfig(JsonObject rooms) {
    JsonObject json = rooms == null ? new JsonObject() : rooms;
    JsonArray events = json.getJsonArray("clientEvents");
    return new RoomsOptions(
      HistoryPolicy.fromConfig(json.getJsonObject("history", new JsonObject())),
      events == null ? Set.copyOf(EventNames.CLIENT_PUBLISHABLE) : Set.copyOf(events.stream().map(String::valueOf).toList()),
      json.getString("policy", POLICY_CLAIMS),
      json.getLong("authorizeTimeoutMs", 2000L),
      json.getLong("nodeLeaseMs", 5000L),
      json.getInteger("presenceEventsUpTo", 1000));
  }
}
