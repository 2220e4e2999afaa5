package io.parley.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Puts one thread of the generator in Linux's {@code SCHED_FIFO} class, so that it runs the
 * moment it wakes instead of waiting for the generator's other threads to yield the CPU.
 *
 * <p>For the fixed-rate publisher: latency is measured from each message's scheduled send time,
 * so a publish that waits for its CPU behind the generator's own subscriber lane is charged to
 * the server (bench/README.md, "Who waits for a CPU"). The publisher does a few sends a second,
 * so it takes next to nothing from the lane by running first.
 */
final class RealtimeThread {

  private RealtimeThread() {
  }

  /** The calling thread's Linux thread id, or -1 where /proc/thread-self does not exist. */
  static long currentTid() {
    try {
      // "<pid>/task/<tid>"
      String target = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
      return Long.parseLong(target.substring(target.lastIndexOf('/') + 1));
    } catch (Exception e) {
      return -1;
    }
  }

  /**
   * Moves thread {@code tid} to {@code SCHED_FIFO} priority 1 with {@code chrt}; returns
   * "fifo", or "normal (why)" when the system refused (no CAP_SYS_NICE, no chrt).
   */
  static String fifo(long tid) {
    if (tid < 0) {
      return "normal (no /proc/thread-self)";
    }
    try {
      Process chrt = new ProcessBuilder("chrt", "-f", "-p", "1", Long.toString(tid)).redirectErrorStream(true).start();
      if (!chrt.waitFor(5, TimeUnit.SECONDS)) {
        chrt.destroyForcibly();
        return "normal (chrt did not finish in 5 s)";
      }
      String output = new String(chrt.getInputStream().readAllBytes()).strip();
      return chrt.exitValue() == 0 ? "fifo" : "normal (chrt: " + output + ")";
    } catch (Exception e) {
      return "normal (" + e.getMessage() + ")";
    }
  }
}
