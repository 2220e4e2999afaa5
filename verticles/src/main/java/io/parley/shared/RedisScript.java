package io.parley.shared;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A Redis store's Lua script: the helpers every store shares ({@code shared/history.lua}), then
 * {@code common.lua} of the store's package (when it has one), then {@code <name>.lua}, loaded once with {@code SCRIPT LOAD}, run by SHA, and loaded again when
 * Redis lost it (restart, {@code SCRIPT FLUSH}). One script is one atomic step in Redis.
 */
public final class RedisScript {

  private final String name;
  private final String source;
  private volatile String sha;

  private RedisScript(String name, String source) {
    this.name = name;
    this.source = source;
  }

  /** The script {@code name} among {@code owner}'s package resources, {@code common.lua} first if present. */
  public static RedisScript of(Class<?> owner, String name) {
    String common = owner.getResource("common.lua") == null ? "" : resource(owner, "common.lua");
    return new RedisScript(name, resource(RedisScript.class, "history.lua") + common + resource(owner, name + ".lua"));
  }

  public Future<Void> load(Redis redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(source))
      .map(reply -> {
        sha = reply.toString();
        return (Void) null;
      })
      .recover(e -> Future.failedFuture(new IllegalStateException("loading Lua script " + name + ": " + e.getMessage(), e)));
  }

  /** Runs with {@code key} as KEYS[1] (it routes the call) and {@code args} as ARGV. */
  public Future<Response> run(Redis redis, String key, List<String> args) {
    return send(redis, key, args).recover(e -> e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT")
      ? load(redis).compose(loaded -> send(redis, key, args))
      : Future.failedFuture(e));
  }

  private Future<Response> send(Redis redis, String key, List<String> args) {
    Request request = Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(key);
    for (String arg : args) {
      request.arg(arg);
    }
    return redis.send(request);
  }

  private static String resource(Class<?> owner, String file) {
    try (InputStream in = owner.getResourceAsStream(file)) {
      if (in == null) {
        throw new IllegalStateException("missing Lua script resource " + owner.getPackageName().replace('.', '/') + "/" + file);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
