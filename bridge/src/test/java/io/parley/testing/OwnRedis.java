package io.parley.testing;

import io.parley.shared.Await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of the test's own on a free loopback port, without persistence, for tests
 * that kill it: the shared one on 6379 serves every other test.
 */
public final class OwnRedis implements AutoCloseable {

  private final int port;
  private Process process;

  private OwnRedis(int port) {
    this.port = port;
  }

  public static OwnRedis start() {
    OwnRedis redis = new OwnRedis(TestNode.freePort());
    redis.startAgain();
    return redis;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server (SIGKILL): connections cut, nothing kept. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the server on the same port, and returns once it accepts connections. */
  public void startAgain() {
    try {
      process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new AssertionError("could not start redis-server (run bin/services): " + e.getMessage(), e);
    }
    try {
      Await.until("redis-server accepting connections on port " + port, Duration.ofSeconds(10), this::accepting);
    } catch (AssertionError e) {
      kill();
      throw e;
    }
  }

  private boolean accepting() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    kill();
  }
}
