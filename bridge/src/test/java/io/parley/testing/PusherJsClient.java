package io.parley.testing;

import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The published {@code pusher-js} 8.6.0, its Node build unchanged, as a test drives it: one Node
 * process running {@code bridge/src/test/node/pusher-js-client.js} against a node's Pusher endpoint,
 * with the app's channel authorizations and sign-ins signed by the published {@code pusher}
 * server SDK 5.3.4. The test writes commands (subscribe, trigger, sign in, ...) and waits, bounded,
 * for what the client saw: each line it printed is claimed by at most one wait, so two waits for
 * the same event need two of them. Needs {@code node}; the locked packages are installed with
 * {@code npm ci} when absent.
 */
public final class PusherJsClient implements AutoCloseable {

  public static final String DEV_KEY = "parley-dev-key";
  public static final String DEV_APP = "parley-dev";
  public static final String DEV_SECRET = "parley-dev-pusher-secret";
  private static final long WAIT_SECONDS = 15;
  private static final String DIR = "bridge/src/test/node";

  private final Process process;
  private final Writer commands;
  private final List<JsonObject> lines = new ArrayList<>();
  private final List<Boolean> claimed = new ArrayList<>();
  private final StringBuilder stderr = new StringBuilder();

  private PusherJsClient(Process process) {
    this.process = process;
    this.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> read(process), "pusher-js stdout");
    reader.setDaemon(true);
    reader.start();
    Thread errors = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        in.lines().forEach(line -> {
          synchronized (stderr) {
            stderr.append(line).append('\n');
          }
        });
      } catch (IOException ignored) {
        // the process ended
      }
    }, "pusher-js stderr");
    errors.setDaemon(true);
    errors.start();
  }

  /** A client of the development app on {@code node}, connected. */
  public static PusherJsClient connect(TestNode node) {
    return connect(node.port(), DEV_KEY, DEV_APP, DEV_SECRET);
  }

  /** A client of the app {@code key} ({@code appId}, signing with {@code secret}) on the node at {@code port}; connected unless the server refuses. */
  public static PusherJsClient connect(int port, String key, String appId, String secret) {
    Path dir = Scripts.repositoryRoot(DIR).resolve(DIR);
    Scripts.ensureInstalled(dir, "node_modules/pusher-js/package.json", "node_modules/pusher/package.json");
    try {
      Process process = new ProcessBuilder(Scripts.node(), "pusher-js-client.js", "127.0.0.1", String.valueOf(port), key, appId, secret)
        .directory(dir.toFile()).start();
      PusherJsClient client = new PusherJsClient(process);
      client.await(line -> "ready".equals(line.getString("type")));
      return client;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void read(Process process) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        JsonObject json = new JsonObject(line);
        synchronized (lines) {
          lines.add(json);
          claimed.add(false);
          lines.notifyAll();
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /** Waits until the client is connected; its socket id. */
  public String awaitConnected() {
    return await(line -> "state".equals(line.getString("type")) && "connected".equals(line.getString("state"))).getString("socketId");
  }

  public void subscribe(String channel) {
    send(new JsonObject().put("op", "subscribe").put("channel", channel));
  }

  /** Subscribes to a presence channel as {@code {user_id, user_info}}, signed with the app's secret. */
  public void subscribe(String channel, JsonObject presence) {
    send(new JsonObject().put("op", "subscribe").put("channel", channel).put("presence", presence));
  }

  /** Subscribes with an authorization signed by {@code secret} instead of the app's. */
  public void subscribeSignedWith(String channel, String secret) {
    send(new JsonObject().put("op", "subscribe").put("channel", channel).put("secret", secret));
  }

  public void unsubscribe(String channel) {
    send(new JsonObject().put("op", "unsubscribe").put("channel", channel));
  }

  /** {@code channel.trigger(event, data)}: a client event. */
  public void trigger(String channel, String event, Object data) {
    send(new JsonObject().put("op", "trigger").put("channel", channel).put("event", event).put("data", data));
    await(line -> "triggered".equals(line.getString("type")) && event.equals(line.getString("event")));
  }

  /** {@code count} client events at once, with data {@code {n: 1 … count}}. */
  public void burst(String channel, String event, int count) {
    send(new JsonObject().put("op", "burst").put("channel", channel).put("event", event).put("count", count));
    await(line -> "triggered".equals(line.getString("type")) && event.equals(line.getString("event")));
  }

  /** {@code pusher.signin()} as {@code user} ({@code {id, user_info?}}), signed with the app's secret. */
  public void signin(JsonObject user) {
    send(new JsonObject().put("op", "signin").put("user", user));
  }

  public void disconnect() {
    send(new JsonObject().put("op", "disconnect"));
  }

  /** The presence channel's members as pusher-js keeps them: {@code {count, me, members}}. */
  public JsonObject members(String channel) {
    send(new JsonObject().put("op", "members").put("channel", channel));
    return await(line -> "members".equals(line.getString("type")) && channel.equals(line.getString("channel")));
  }

  /** The next event pusher-js handed the application on {@code channel} named {@code event}: {@code {channel, event, data}}. */
  public JsonObject awaitEvent(String channel, String event) {
    return await(line -> "event".equals(line.getString("type")) && channel.equals(line.getString("channel"))
      && event.equals(line.getString("event")));
  }

  /** The next message on {@code channel} named {@code event}, as pusher-js decoded it (with {@code user_id} when there was one). */
  public JsonObject awaitMessage(String channel, String event) {
    return await(line -> "message".equals(line.getString("type")) && channel.equals(line.getString("channel"))
      && event.equals(line.getString("event")));
  }

  /** The next {@code pusher:error} the connection reported: {@code {code, message}}. */
  public JsonObject awaitPusherError() {
    return await(line -> "message".equals(line.getString("type")) && "pusher:error".equals(line.getString("event")))
      .getJsonObject("data");
  }

  /** The next event {@code pusher.user} handed the application (a {@code #server-to-user-} event). */
  public JsonObject awaitUserEvent(String event) {
    return await(line -> "user-event".equals(line.getString("type")) && event.equals(line.getString("event")));
  }

  /** Waits for the connection state {@code state}. */
  public JsonObject awaitState(String state) {
    return await(line -> "state".equals(line.getString("type")) && state.equals(line.getString("state")));
  }

  /** Every line so far matching {@code line}, claimed or not: for asserting what did not happen, after a later event proved it would have. */
  public List<JsonObject> seen(Predicate<JsonObject> line) {
    synchronized (lines) {
      return lines.stream().filter(line).toList();
    }
  }

  /** Every event pusher-js handed the application on {@code channel} named {@code event} so far. */
  public List<JsonObject> events(String channel, String event) {
    return seen(line -> "event".equals(line.getString("type")) && channel.equals(line.getString("channel"))
      && event.equals(line.getString("event")));
  }

  /** Claims and answers the first unclaimed line matching {@code line}, waiting for it. */
  public JsonObject await(Predicate<JsonObject> line) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    synchronized (lines) {
      while (true) {
        for (int i = 0; i < lines.size(); i++) {
          if (!claimed.get(i) && line.test(lines.get(i))) {
            claimed.set(i, true);
            return lines.get(i);
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("pusher-js did not see that within " + WAIT_SECONDS + " s; it saw:\n" + transcript());
        }
        try {
          lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          throw new AssertionError(e);
        }
      }
    }
  }

  private String transcript() {
    StringBuilder all = new StringBuilder();
    lines.forEach(line -> all.append(line.encode()).append('\n'));
    synchronized (stderr) {
      return all.append("stderr:\n").append(stderr).toString();
    }
  }

  private void send(JsonObject command) {
    try {
      commands.write(command.encode() + "\n");
      commands.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("pusher-js exited:\n" + transcript(), e);
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    try {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
