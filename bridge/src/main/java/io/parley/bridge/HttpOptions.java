package io.parley.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The {@code http} and {@code api} sections: where the node listens, and the keys that
 * server-side callers of {@code /api/...} present as {@code Authorization: Bearer <key>}.
 */
public record HttpOptions(int port, String host, String publicUrl, List<String> apiKeys) {

  /** The key conf/default.json documents for development; refused when dev tokens are off. */
  public static final String DEV_API_KEY = "dev-api-key";

  public HttpOptions {
    apiKeys = List.copyOf(apiKeys);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("http.port must be 0..65535");
    }
  }

  public static HttpOptions fromConfig(JsonObject http, JsonObject api) {
    JsonObject h = http == null ? new JsonObject() : http;
    JsonArray keys = api == null ? new JsonArray() : api.getJsonArray("keys", new JsonArray());
    return new HttpOptions(
      h.getInteger("port", 8080),
      h.getString("host", "0.0.0.0"),
      h.getString("publicUrl", ""),
      keys.stream().map(String::valueOf).filter(k -> !k.isBlank()).toList());
  }
}
