package io.parley.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own, on a free loopback port, as a child process (as
 * {@link OwnPostgres} is a Postgres of its own): for
 * tests that kill Redis and start it again, which must never touch the Redis other tests share.
 * Without persistence, as Parley's Redis runs: a restarted server is empty.
 */
public final class OwnRedis implements AutoCloseable {

  private static final long READY_TIMEOUT_MS = 10_000;

  private final int port;
  private final File log;
  private Process process;

  private OwnRedis(int port) {
    this.port = port;
    this.log = new File("target", "redis-" + port + ".log");
  }

  /** Starts a server and waits until it answers {@code PING}. */
  public static OwnRedis start() {
    OwnRedis redis = new OwnRedis(TestNode.freePort());
    redis.launch();
    return redis;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server at once (SIGKILL, no shutdown), as a crash would, and waits until it is gone. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    process = null;
  }

  /** Starts the server again on the same port, empty; answers {@link System#nanoTime} when it first answered. */
  public long restart() {
    kill();
    return launch();
  }

  private long launch() {
    log.getParentFile().mkdirs();
    ProcessBuilder builder = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
      "--save", "", "--appendonly", "no", "--daemonize", "no")
      .redirectErrorStream(true)
      .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("starting redis-server (is it installed?)", e);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server on port " + port + " exited; see " + log.getAbsolutePath());
      }
      if (answersPing()) {
        return System.nanoTime();
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("redis-server on port " + port + " did not answer within " + READY_TIMEOUT_MS + " ms");
  }

  private boolean answersPing() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1_000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = in.readNBytes(7);
      return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    kill();
  }
}
