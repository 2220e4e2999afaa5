package io.parley.bridge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The API keys of {@code api.keys}: what server-side callers present on {@code /api/...} and what
 * a service presents in {@code auth.authenticate {apiKey}}. Each key has an id, which is what
 * names the caller in headers and logs, never the key: the {@code id} given in config
 * ({@code {"id": "billing", "key": "..."}}), or for a key given as a plain string
 * {@code key-} and the first 8 hex digits of its SHA-256 (stable across restarts and nodes, and
 * too short to help guess the key).
 */
public final class ApiKeys {

  /** One key and the id that stands for it. */
  public record ApiKey(String id, String key) {
    @Override
    public String toString() {
      return id; // never the key, should a key end up in a log line
    }
  }

  private final List<ApiKey> keys;
  private final List<byte[]> bytes;

  public ApiKeys(List<ApiKey> keys) {
    this.keys = List.copyOf(keys);
    this.bytes = this.keys.stream().map(k -> k.key().getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** {@code api.keys}: each entry a string or {@code {id, key}}; blank keys are ignored, a bad entry stops the node. */
  public static ApiKeys fromConfig(JsonArray entries) {
    List<ApiKey> keys = new ArrayList<>();
    for (Object entry : entries == null ? new JsonArray() : entries) {
      if (entry instanceof JsonObject json) {
        String id = json.getValue("id") instanceof String s ? s : null;
        String key = json.getValue("key") instanceof String s ? s : null;
        if (id == null || id.isBlank() || key == null || key.isBlank()) {
          throw new IllegalArgumentException("api.keys: an object entry needs a non-blank \"id\" and \"key\"");
        }
        keys.add(new ApiKey(id, key));
      } else if (entry instanceof String key) {
        if (!key.isBlank()) {
          keys.add(new ApiKey(hashId(key), key));
        }
      } else {
        throw new IllegalArgumentException("api.keys: each entry is a key string or {\"id\": ..., \"key\": ...}");
      }
    }
    if (keys.stream().map(ApiKey::id).distinct().count() != keys.size()) {
      throw new IllegalArgumentException("api.keys: two keys have the same id");
    }
    return new ApiKeys(keys);
  }

  /**
   * The key {@code presented} is, if any. Every key is compared, each in constant time, so how
   * long this takes tells nothing about a key's prefix or which key matched.
   */
  public Optional<ApiKey> match(String presented) {
    byte[] candidate = presented == null ? new byte[0] : presented.getBytes(StandardCharsets.UTF_8);
    ApiKey found = null;
    for (int i = 0; i < keys.size(); i++) {
      if (MessageDigest.isEqual(bytes.get(i), candidate) && found == null) {
        found = keys.get(i);
      }
    }
    return Optional.ofNullable(found);
  }

  public boolean isEmpty() {
    return keys.isEmpty();
  }

  /** True when one of the keys is {@code key} (for the production check on the development key). */
  public boolean contains(String key) {
    return keys.stream().anyMatch(k -> k.key().equals(key));
  }

  static String hashId(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return "key-" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
