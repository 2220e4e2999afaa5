package io.parley.shared;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The real Redis the Redis store tests run against: {@code redis://127.0.0.1:6379}, or the
 * {@code parley.redis.uri} system property. Not reachable is a test failure, never a skip: a
 * skipped suite would let a broken store pass the build.
 */
public final class TestRedis {

  /**
   * A real Redis for one test class: {@code @RegisterExtension static final TestRedis.Fixture
   * server = new TestRedis.Fixture();} connects before the class (failing, never skipping, when
   * Redis is absent) and deletes the keys of every prefix it handed out after each test.
   */
  public static final class Fixture implements BeforeAllCallback, AfterAllCallback, AfterEachCallback {
    private final Set<String> prefixes = ConcurrentHashMap.newKeySet();
    private Vertx vertx;
    private Redis redis;

    @Override
    public void beforeAll(ExtensionContext context) {
      vertx = Vertx.vertx();
      redis = connect(vertx);
    }

    @Override
    public void afterEach(ExtensionContext context) {
      prefixes.forEach(prefix -> deleteKeys(redis, prefix));
      prefixes.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
      if (redis != null) {
        Await.result(redis.close());
      }
      Await.result(vertx.close());
    }

    public Vertx vertx() {
      return vertx;
    }

    public Redis redis() {
      return redis;
    }

    /** A key prefix no other test uses; its keys are deleted after the test. */
    public String freshPrefix() {
      String prefix = TestRedis.freshPrefix();
      prefixes.add(prefix);
      return prefix;
    }
  }

  public static final String URI = System.getProperty("parley.redis.uri", "redis://127.0.0.1:6379");

  public static RedisOptions options() {
    return new RedisOptions().setConnectionString(URI).setMaxPoolSize(8).setMaxPoolWaiting(10_000);
  }

  /** A client that answered PING, or an AssertionError that says how to provide Redis. */
  public static Redis connect(Vertx vertx) {
    Redis redis = Redis.createClient(vertx, options());
    Throwable failure = Await.failure(redis.send(Request.cmd(Command.PING)));
    if (failure != null) {
      redis.close();
      throw new AssertionError("Redis is not reachable at " + URI + " (" + failure.getMessage() + "). The Redis store "
        + "tests need a real Redis: start one (redis-server, or docker run -p 6379:6379 redis:7) or point "
        + "-Dparley.redis.uri=redis://host:port at one.", failure);
    }
    return redis;
  }

  /** A key prefix no other test uses. */
  public static String freshPrefix() {
    return "test:" + UUID.randomUUID() + ":";
  }

  /** {@link #deleteKeys(Redis, String)} through a connection of its own, for clean-up where no client is at hand. */
  public static void deleteKeys(String prefix) {
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = connect(vertx);
      try {
        deleteKeys(redis, prefix);
      } finally {
        redis.close();
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  /** Deletes every key under {@code prefix} (SCAN, fine in test clean-up, never on a request path). */
  public static void deleteKeys(Redis redis, String prefix) {
    String cursor = "0";
    do {
      Response page = Await.result(redis.send(Request.cmd(Command.SCAN).arg(cursor)
        .arg("MATCH").arg(prefix + "*").arg("COUNT").arg(1000)));
      cursor = page.get(0).toString();
      List<String> keys = new ArrayList<>();
      page.get(1).forEach(key -> keys.add(key.toString()));
      if (!keys.isEmpty()) {
        Request del = Request.cmd(Command.DEL);
        keys.forEach(del::arg);
        Await.result(redis.send(del));
      }
    } while (!"0".equals(cursor));
  }

  /**
   * Asks {@code probe} (asynchronous: it runs on an event loop) every 20 ms until it answers true,
   * for at most {@link Await#TIMEOUT_SECONDS}: for states only Redis can be asked about, such as a
   * subscription coming back.
   */
  public static void awaitTrue(Vertx vertx, String what, Supplier<Future<Boolean>> probe) {
    long deadline = System.currentTimeMillis() + Await.TIMEOUT_SECONDS * 1000 - 500;
    Promise<Void> done = Promise.promise();
    poll(vertx, probe, deadline, done);
    Throwable failure = Await.failure(done.future());
    if (failure != null) {
      throw new AssertionError("waited in vain for " + what, failure);
    }
  }

  private static void poll(Vertx vertx, Supplier<Future<Boolean>> probe, long deadline, Promise<Void> done) {
    probe.get().onComplete(result -> {
      if (result.succeeded() && result.result()) {
        done.complete();
      } else if (System.currentTimeMillis() > deadline) {
        done.fail(result.failed() ? result.cause() : new IllegalStateException("still false"));
      } else {
        vertx.setTimer(20, id -> poll(vertx, probe, deadline, done));
      }
    });
  }

  private TestRedis() {
  }
}
