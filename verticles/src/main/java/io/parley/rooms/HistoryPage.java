package io.parley.rooms;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.parley.shared.Envelope;

import java.util.List;

/**
 * The answer to a catch-up: every envelope after the asked offset, in order, with
 * {@code recovered: true}; or {@code recovered: false} and no events at all, when the
 * history no longer covers the gap or the epoch changed. Never a partial list.
 *
 * @param epoch the room's current epoch (null when the room does not exist)
 */
public record HistoryPage(boolean recovered, String epoch, List<Envelope> events) {

  public static HistoryPage notRecovered(String epoch) {
    return new HistoryPage(false, epoch, List.of());
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("recovered", recovered)
      .put("epoch", epoch)
      .put("events", new JsonArray(events.stream().map(Envelope::toJson).toList()));
  }
}
