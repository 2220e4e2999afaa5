package io.parley.testing;

import io.parley.testing.BridgeClient.BridgeError;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where a test client's received bridge frames go, whatever the transport: a frame on a reply
 * address completes that request (an {@code err} as a {@link BridgeError}), a frame on another
 * address waits in that address's queue, an address-less one in its own. Waits are bounded, so a
 * test fails instead of hanging.
 */
final class Inbox {

  static final long WAIT_SECONDS = 10;

  private final Map<String, CompletableFuture<JsonObject>> replies = new ConcurrentHashMap<>();
  private final Map<String, BlockingQueue<JsonObject>> byAddress = new ConcurrentHashMap<>();
  private final BlockingQueue<JsonObject> addressless = new LinkedBlockingQueue<>();
  /** Addresses whose frames go to a listener as they arrive, instead of a queue. */
  private final Map<String, java.util.function.Consumer<JsonObject>> listeners = new ConcurrentHashMap<>();

  /**
   * Sends {@code address} a request (a {@code send} with a fresh reply address, and
   * {@code headers} when given) through {@code send}, and waits for the reply's body, or
   * throws the failure as a {@link BridgeError}.
   */
  JsonObject request(String address, Object body, JsonObject headers, java.util.function.Consumer<JsonObject> send) {
    return await(requestAsync(address, body, headers, send));
  }

  /** The same without waiting: the reply's body, or the failure as a {@link BridgeError}. */
  CompletableFuture<JsonObject> requestAsync(String address, Object body, JsonObject headers,
                                             java.util.function.Consumer<JsonObject> send) {
    String replyAddress = java.util.UUID.randomUUID().toString();
    CompletableFuture<JsonObject> reply = expectReply(replyAddress);
    JsonObject frame = new JsonObject().put("type", "send").put("address", address).put("body", body).put("replyAddress", replyAddress);
    if (headers != null) {
      frame.put("headers", headers);
    }
    send.accept(frame);
    return reply.thenApply(received -> received.getJsonObject("body"));
  }

  /** Frames on {@code address} go to {@code listener} as they arrive, from now on. */
  void listen(String address, java.util.function.Consumer<JsonObject> listener) {
    listeners.put(address, listener);
  }

  /** The failure code a request ended with, or 0 when it was answered. */
  static int failureCodeOf(Runnable request) {
    try {
      request.run();
      return 0;
    } catch (BridgeError e) {
      return e.code;
    }
  }

  /** The whole reply frame to a request sent with {@code replyAddress}, once it arrives. */
  CompletableFuture<JsonObject> expectReply(String replyAddress) {
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    replies.put(replyAddress, reply);
    return reply;
  }

  void accept(JsonObject frame) {
    String address = frame.getString("address");
    CompletableFuture<JsonObject> reply = address == null ? null : replies.remove(address);
    if (reply != null) {
      if ("err".equals(frame.getString("type"))) {
        reply.completeExceptionally(new BridgeError(frame.getInteger("failureCode", -1), frame.getString("message")));
      } else {
        reply.complete(frame);
      }
    } else if (address != null && listeners.containsKey(address)) {
      listeners.get(address).accept(frame);
    } else if (address != null) {
      on(address).add(frame);
    } else {
      addressless.add(frame);
    }
  }

  BlockingQueue<JsonObject> on(String address) {
    return byAddress.computeIfAbsent(address, a -> new LinkedBlockingQueue<>());
  }

  BlockingQueue<JsonObject> addressless() {
    return addressless;
  }

  /** The next frame on an address (a delivery, or an {@code err} for that address). */
  JsonObject next(String address) {
    return poll(on(address), "nothing arrived on " + address);
  }

  /** The next {@code err} frame that named no address. */
  JsonObject nextError() {
    return poll(addressless, "no address-less err");
  }

  List<JsonObject> pendingOn(String address) {
    return List.copyOf(byAddress.getOrDefault(address, new LinkedBlockingQueue<>()));
  }

  static JsonObject poll(BlockingQueue<JsonObject> queue, String failure) {
    try {
      JsonObject frame = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      if (frame == null) {
        throw new AssertionError(failure + " within " + WAIT_SECONDS + " s");
      }
      return frame;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new AssertionError(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError("no answer within " + WAIT_SECONDS + " s", e);
    }
  }
}
