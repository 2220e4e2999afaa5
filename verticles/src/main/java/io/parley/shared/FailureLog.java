package io.parley.shared;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The log of failures that can happen once per request: while a store is down every request
 * fails the same way, and a line per request (with its stack trace) buries everything else.
 * Failures are grouped by what failed ({@code "lock store unavailable"}); per group the log
 * gets
 * <ul>
 *   <li>the first failure of each cause (exception class and message, digits ignored) with its
 *       stack trace, when it happens: {@code lock store unavailable: PgException: ... (first of
 *       its kind; more are counted every 10 s)};</li>
 *   <li>one line per interval while failures go on: {@code lock store unavailable: 1,234
 *       operations failed in the last 10 s (last: Connection refused)};</li>
 *   <li>one line when an interval passes without any: {@code lock store reachable again:
 *       no failures for 10 s; 1,240 operations failed over 5.1 s}. A cause seen again after that is
 *       logged with its stack trace again.</li>
 * </ul>
 * Thread-safe: a node's stores and verticles report from all of its event loops. The
 * interval's lines are written by a timer on the Vert.x of whoever reported a failure, and
 * also by the next report once the interval has passed (so nothing is lost without a Vert.x).
 */
public final class FailureLog {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  /**
   * Causes per group logged with their stack trace: beyond these, new ones are only counted, so
   * that messages that differ per request (an id in them) cannot bring back a line per request.
   */
  private static final int TRACED_CAUSES = 5;

  private static final FailureLog FALLBACK = new FailureLog(DEFAULT_INTERVAL, (store, code) -> {
  });

  /** Counts a store failure answered with {@code code}: where a node's metrics plug in. */
  @FunctionalInterface
  public interface StoreFailures {
    void failed(String store, int code);
  }

  private final long intervalNanos;
  private final StoreFailures counter;
  private final Map<String, Group> groups = new LinkedHashMap<>();
  /** When the timer that writes the interval's lines is due; {@code timerSet} false when none is. */
  private boolean timerSet;
  private long timerDue;

  public FailureLog(Duration interval, StoreFailures counter) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("the failure log interval must be positive, not " + interval);
    }
    this.intervalNanos = interval.toNanos();
    this.counter = counter;
  }

  /**
   * One log for code that was not handed its node's (a store or test built on its own): the
   * default interval, failures not counted in any metrics.
   */
  public static FailureLog fallback() {
    return FALLBACK;
  }

  /** A store operation failed and was answered {@code code}: counted, and logged as "{store} unavailable". */
  public void storeFailed(String store, int code, Throwable cause, Logger log) {
    counter.failed(store, code);
    failed(store + " unavailable", store + " reachable again", true, cause, log);
  }

  /** Something that can fail per request failed, and it is an error; {@code what} names it and is the same every time. */
  public void error(String what, Throwable cause, Logger log) {
    failed(what, what, true, cause, log);
  }

  /** Something that can fail per request failed, and the caller copes (a retry, a later event). */
  public void warn(String what, Throwable cause, Logger log) {
    failed(what, what, false, cause, log);
  }

  /** {@code ended} names the group in the line that says its failures stopped. */
  private void failed(String what, String ended, boolean error, Throwable cause, Logger log) {
    long now = System.nanoTime();
    List<Runnable> lines = new ArrayList<>();
    boolean setTimer;
    synchronized (this) {
      Group group = groups.computeIfAbsent(what, w -> new Group(w, ended, error, log, now));
      group.total++;
      group.lastAt = now;
      group.last = messageOf(cause);
      if (group.causes.size() < TRACED_CAUSES && group.causes.add(shapeOf(cause))) {
        String first = cause.getClass().getSimpleName() + ": " + group.last;
        lines.add(() -> group.write("{}: {} (first of its kind; more are counted every {} s)", what, first,
          seconds(intervalNanos), traceOf(cause)));
      } else {
        group.count++;
      }
      if (now - group.intervalStart >= intervalNanos) {
        summarize(group, now, lines);
      }
      // a timer whose Vert.x closed before it fired never comes: another one is set
      setTimer = !timerSet || now - timerDue > intervalNanos;
      if (setTimer) {
        timerSet = true;
        timerDue = now + intervalNanos;
      }
    }
    lines.forEach(Runnable::run);
    if (setTimer) {
      setTimer();
    }
  }

  /**
   * Writes the lines of every interval that has passed: a count per group that had failures,
   * the end of each group that had none: the timer's work.
   */
  private void flush() {
    long now = System.nanoTime();
    List<Runnable> lines = new ArrayList<>();
    boolean again;
    synchronized (this) {
      for (var it = groups.values().iterator(); it.hasNext(); ) {
        Group group = it.next();
        if (now - group.intervalStart < intervalNanos) {
          continue;
        }
        if (group.count > 0) {
          summarize(group, now, lines);
        } else if (now - group.lastAt >= intervalNanos) {
          long total = group.total;
          String over = seconds(group.lastAt - group.firstAt);
          lines.add(() -> group.log.info("{}: no failures for {} s; {} failed over {} s", group.ended,
            seconds(intervalNanos), operations(total), over));
          it.remove();
        }
      }
      again = !groups.isEmpty();
      timerSet = again;
      timerDue = now + intervalNanos;
    }
    lines.forEach(Runnable::run);
    if (again) {
      setTimer();
    }
  }

  private void summarize(Group group, long now, List<Runnable> lines) {
    long count = group.count;
    String last = group.last;
    if (count > 0) {
      String window = seconds(now - group.intervalStart);
      lines.add(() -> group.write("{}: {} failed in the last {} s (last: {})", group.what, operations(count),
        window, last));
    }
    group.count = 0;
    group.intervalStart = now;
  }

  /** On the Vert.x of the caller, when there is one; else the next report writes what is due. */
  private void setTimer() {
    Context context = Vertx.currentContext();
    if (context == null) {
      synchronized (this) {
        timerSet = false;
      }
      return;
    }
    try {
      context.owner().setTimer(Math.max(1, intervalNanos / 1_000_000), id -> flush());
    } catch (RuntimeException closing) {
      synchronized (this) {
        timerSet = false;
      }
    }
  }

  /** What failed, per group, since its first failure. */
  private static final class Group {
    final String what;
    final String ended;
    final boolean error;
    final Logger log;
    final long firstAt;
    final Set<String> causes = new HashSet<>();
    long intervalStart;
    long lastAt;
    long total;
    /** Failures since {@link #intervalStart} not yet written (the first of each cause is written at once). */
    long count;
    String last;

    Group(String what, String ended, boolean error, Logger log, long now) {
      this.what = what;
      this.ended = ended;
      this.error = error;
      this.log = log == null ? LoggerFactory.getLogger(FailureLog.class) : log;
      this.firstAt = now;
      this.intervalStart = now;
      this.lastAt = now;
    }

    void write(String format, Object... arguments) {
      if (error) {
        log.error(format, arguments);
      } else {
        log.warn(format, arguments);
      }
    }
  }

  private static String messageOf(Throwable cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }

  /** A cause's kind: its class and message with numbers (ports, ids, counts) left out. */
  private static String shapeOf(Throwable cause) {
    return cause.getClass().getName() + ": " + String.valueOf(cause.getMessage()).replaceAll("\\d+", "#");
  }

  /** The stack trace when it says where something broke: a failed reply's says nothing. */
  private static Throwable traceOf(Throwable cause) {
    return cause instanceof ReplyException ? null : cause;
  }

  /** "1 operation", "1,234 operations". */
  private static String operations(long n) {
    return String.format(Locale.ROOT, n == 1 ? "%,d operation" : "%,d operations", n);
  }

  /** Seconds to a tenth, without a trailing ".0": "10", "5.1". */
  private static String seconds(long nanos) {
    return java.math.BigDecimal.valueOf(Math.round(nanos / 1e8), 1).stripTrailingZeros().toPlainString();
  }
}
