package io.parley.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The measured server's process ({@code --server-pid}), read from /proc. */
record ServerProcess(long pid) {

  /** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux). */
  static final double TICKS_PER_SECOND = 100.0;

  /** utime + stime in clock ticks, or -1 without a pid or when it cannot be read. */
  long ticks() {
    if (pid <= 0) {
      return -1;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return -1;
    }
  }

  /** Resident set size in bytes (VmRSS of /proc/PID/status). */
  long rssBytes() throws IOException {
    long rss = 0;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return rss;
  }

  /** Percent of one CPU between two {@link #ticks()} readings {@code seconds} apart; NaN when either is missing. */
  static double cpuPercent(long before, long after, double seconds) {
    return before < 0 || after < 0 ? Double.NaN : 100.0 * (after - before) / TICKS_PER_SECOND / seconds;
  }
}
