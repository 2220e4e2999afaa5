package io.parley.launcher;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Reads the configuration once, at start: {@code conf/default.json} (embedded in the jar),
 * deep-merged with the {@code -conf} file or deployment config, then the {@code PARLEY_*}
 * environment variables on top ({@code docs/configuration.md}). Merging is vertx-config's.
 */
public final class ParleyConfig {

  /** On the classpath inside the jar; a {@code conf/default.json} in the working directory wins. */
  public static final String DEFAULTS = "conf/default.json";

  public static Future<JsonObject> load(Vertx vertx, JsonObject overrides, Map<String, String> env) {
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
      .setScanPeriod(0)
      .addStore(new ConfigStoreOptions().setType("file").setFormat("json")
        .setConfig(new JsonObject().put("path", DEFAULTS)))
      .addStore(new ConfigStoreOptions().setType("json").setConfig(overrides == null ? new JsonObject() : overrides)));
    return retriever.getConfig()
      .map(merged -> EnvOverrides.apply(merged, env))
      .eventually(() -> {
        retriever.close();
        return Future.succeededFuture();
      });
  }

  /**
   * The same, before any Vert.x instance exists (the launcher decides clustering from it): a
   * short-lived Vert.x reads the files, so the layering is exactly what the node will see.
   */
  public static JsonObject loadBlocking(JsonObject overrides, Map<String, String> env) {
    Vertx reader = Vertx.vertx();
    try {
      return load(reader, overrides, env).await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("configuration not read in 30 s", e);
    } finally {
      reader.close();
    }
  }

  private ParleyConfig() {
  }
}
