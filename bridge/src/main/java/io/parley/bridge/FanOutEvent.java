package io.parley.bridge;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A Java Flight Recorder event for each fan-out of one room envelope to this bridge instance's
 * member sockets: its duration is the time to queue the frame on every socket ({@link LocalRooms});
 * the flush that sends them is {@link FlushEvent}. Costs nothing unless a recording enables it
 * ({@code bench/fan-out --jfr} does; docs/operations.md#recording-a-node).
 */
@Name("parley.FanOut")
@Label("Fan-out")
@Category("Parley")
@Description("One room envelope queued on this bridge instance's member sockets")
@StackTrace(false)
final class FanOutEvent extends jdk.jfr.Event {

  @Label("Room")
  String room;

  @Label("Sockets")
  int sockets;
}
