package io.parley.bridge;

import io.parley.testing.BridgeClient;
import io.parley.testing.TestNode;
import io.vertx.core.json.JsonObject;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flight recording of a node shows each fan-out's time on the event loop: one parley.FanOut
 * (the frame queued on every member socket) and one parley.Flush (the sockets handed to the
 * kernel) per message, each naming how many sockets it covered (docs/operations.md).
 */
class FanOutRecordingTest {

  @Test
  void a_recording_shows_each_fan_out_and_its_flush(@TempDir Path dir) throws Exception {
    try (TestNode node = TestNode.start();
         BridgeClient ann = node.signIn("ann");
         BridgeClient bob = node.signIn("bob", new JsonObject(), UUID.randomUUID().toString(), BridgeClient.Transport.RAW);
         Recording recording = new Recording()) {
      ann.join("votes-recorded");
      bob.join("votes-recorded");
      recording.enable("parley.FanOut");
      recording.enable("parley.Flush");
      recording.start();
      node.node().realtime().trigger("votes-recorded", "chat.new-message", "hello").await(10, TimeUnit.SECONDS);
      ann.envelopesUntil("room.votes-recorded", "chat.new-message");
      bob.envelopesUntil("room.votes-recorded", "chat.new-message");
      // the sockets have their bytes before the flush ends and records itself: a request answered
      // through the same event loop comes after it
      ann.request("rooms.state", new JsonObject().put("room", "votes-recorded"));
      recording.stop();
      Path file = dir.resolve("node.jfr");
      recording.dump(file);

      List<RecordedEvent> events = RecordingFile.readAllEvents(file);
      assertThat(events).filteredOn(e -> e.getEventType().getName().equals("parley.FanOut"))
        .singleElement()
        .satisfies(e -> {
          assertThat(e.getString("room")).isEqualTo("votes-recorded");
          assertThat(e.getInt("sockets")).isEqualTo(2);
        });
      assertThat(events).filteredOn(e -> e.getEventType().getName().equals("parley.Flush"))
        .singleElement()
        .satisfies(e -> assertThat(e.getInt("sockets")).isEqualTo(2));
    }
  }
}
