package io.parley.testing;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A development token from a node with dev tokens on ({@code POST /auth/dev-token}), as the web demo gets one. */
public final class DevTokens {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A token for {@code userId} named "User userId", with any further claims ({@code orgs}, {@code boards}, {@code ttlSeconds}). */
  public static String issue(int port, String userId, JsonObject claims) {
    JsonObject body = new JsonObject().put("userId", userId).put("name", "User " + userId).mergeIn(claims);
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/auth/dev-token"))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).header("content-type", "application/json").build(),
        HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new AssertionError("dev token refused: " + response.statusCode() + " " + response.body());
      }
      return new JsonObject(response.body()).getString("token");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static String issue(int port, String userId) {
    return issue(port, userId, new JsonObject());
  }

  private DevTokens() {
  }
}
