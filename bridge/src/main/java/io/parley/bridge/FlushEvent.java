package io.parley.bridge;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * A Java Flight Recorder event for each flush of the sockets that were queued deliveries in one
 * burst ({@link PendingFlushes}): its duration is the time to hand every socket's frames to the
 * kernel. With {@link FanOutEvent} it is one fan-out's time on the event loop.
 */
@Name("parley.Flush")
@Label("Flush")
@Category("Parley")
@Description("The sockets queued deliveries in one burst, flushed")
@StackTrace(false)
final class FlushEvent extends jdk.jfr.Event {

  @Label("Sockets")
  int sockets;
}
