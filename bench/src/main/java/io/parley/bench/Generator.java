package io.parley.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What every load generator's {@code main} does around its own scenario: {@code --help}, the
 * command line, a Vert.x with the scenario's event loops, the run, closing, the exit status.
 *
 * <p>Exit status: what the scenario answers (0 every figure is clean, 1 something was not as
 * expected); 2 the run could not be set up or failed on its way (the message says why); 64 a
 * bad command line (the usage follows it).
 */
final class Generator {

  /** What every generator's command line settles: the event loops its clients run on. */
  interface Options {

    /** {@code --lanes}: event loops for the tabs. */
    int lanes();

    /** The Vert.x the scenario runs on: {@link #lanes()} event loops, unless it needs more. */
    default VertxOptions vertxOptions() {
      return new VertxOptions().setEventLoopPoolSize(lanes());
    }
  }

  /** One generator's measurement, run once on a Vert.x made for it. */
  interface Scenario<S> {

    /** Measures, prints the summary and the JSON line, answers the exit status. */
    int run(Vertx vertx, S settings) throws Exception;
  }

  /**
   * Runs the generator called {@code name} (its driver script's name, used in messages) and
   * exits the JVM with its status: Vert.x threads would keep it alive otherwise.
   */
  static <S extends Options> void main(String name, String usage, String[] argv, Function<Args, S> parse,
                                       Scenario<S> scenario) {
    if (List.of(argv).contains("--help") || List.of(argv).contains("-h")) {
      System.out.print(usage);
      return;
    }
    int status;
    try {
      S options = parse.apply(new Args(argv));
      status = run(name, options, scenario);
    } catch (Args.UsageException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println(name + ": " + e.getMessage());
      }
      System.err.print(usage);
      status = 64;
    } catch (Exception e) {
      System.err.println(name + ": " + (e.getMessage() != null ? e.getMessage() : e));
      status = 2;
    }
    System.exit(status);
  }

  private static <S extends Options> int run(String name, S options, Scenario<S> scenario) throws Exception {
    Vertx vertx = Vertx.vertx(options.vertxOptions());
    try {
      return scenario.run(vertx, options);
    } finally {
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println(name + ": closing: " + e);
      }
    }
  }

  /**
   * Closing thousands of sockets of a stalled node logs "Connection evicted" once per socket;
   * the generators that open that many say it once in their summary instead.
   */
  static void quietHttpClientLog() {
    HTTP_CLIENT_LOG.setLevel(Level.SEVERE);
  }

  /** Held here: a logger nobody references may be collected, and its level with it. */
  private static final Logger HTTP_CLIENT_LOG = Logger.getLogger("io.vertx.core.http.impl");

  /** A short id for this run, so its users, resources and rooms are its own. */
  static String runId() {
    return Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
  }

  /** This process's CPU time in nanoseconds, or -1 where the JVM does not say. */
  static long processCpu() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
      ? os.getProcessCpuTime() : -1;
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sleeps until {@link System#nanoTime()} reaches {@code nanos}. */
  static void sleepUntil(long nanos) throws InterruptedException {
    long left;
    while ((left = nanos - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, Math.min(100, left / 1_000_000)));
    }
  }

  private Generator() {
  }
}
