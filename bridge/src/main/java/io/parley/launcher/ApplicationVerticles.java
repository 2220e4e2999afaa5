package io.parley.launcher;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Verticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * The application's own verticles a node deploys by class name, from
 * {@code deployment.verticles}: a list of {@code {"class", "instances", "config", "threading"}}
 * objects, or of class names alone (one instance, empty config). Read and checked once, before the
 * node connects to any store, so a typo in a class name fails the start at once, naming the entry.
 * See {@code docs/configuration.md} (deployment) and {@code docs/toolkit.md}.
 */
public record ApplicationVerticles(List<ApplicationVerticles.Entry> entries) {

  /** One verticle class: how many instances, the config each gets, and the thread it runs on. */
  public record Entry(String className, int instances, JsonObject config, ThreadingModel threading) {
  }

  private static final String KEY = "deployment.verticles";
  private static final List<String> FIELDS = List.of("class", "instances", "config", "threading");

  public ApplicationVerticles {
    entries = List.copyOf(entries);
  }

  /** The {@code verticles} list of a {@code deployment} section (none when absent). */
  public static ApplicationVerticles fromConfig(JsonObject deployment) {
    Object value = deployment == null ? null : deployment.getValue("verticles");
    if (value == null) {
      return new ApplicationVerticles(List.of());
    }
    if (!(value instanceof JsonArray list)) {
      throw new IllegalArgumentException(KEY + " must be a list of verticles, e.g. "
        + "[{\"class\": \"com.example.Orders\", \"instances\": 2, \"config\": {}}], not " + value);
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      entries.add(entry(KEY + "[" + i + "]", list.getValue(i)));
    }
    return new ApplicationVerticles(entries);
  }

  private static Entry entry(String where, Object value) {
    JsonObject entry = value instanceof String className ? new JsonObject().put("class", className)
      : value instanceof JsonObject object ? object
      : null;
    if (entry == null) {
      throw new IllegalArgumentException(where + " must be a class name or {\"class\", \"instances\", \"config\"}, not " + value);
    }
    List<String> unknown = entry.fieldNames().stream().filter(name -> !FIELDS.contains(name)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(where + " has unknown keys " + unknown + "; the keys are " + FIELDS);
    }
    if (!(entry.getValue("class") instanceof String className) || className.isBlank()) {
      throw new IllegalArgumentException(where + ".class must name a verticle class, e.g. \"com.example.Orders\"");
    }
    Object instances = valueOr(entry, "instances", 1);
    if (!(instances instanceof Integer || instances instanceof Long) || ((Number) instances).longValue() < 1
      || ((Number) instances).longValue() > 1024) {
      throw new IllegalArgumentException(where + ".instances (" + className + ") must be a whole number from 1 to 1024, not " + instances);
    }
    Object config = valueOr(entry, "config", new JsonObject());
    if (!(config instanceof JsonObject)) {
      throw new IllegalArgumentException(where + ".config (" + className + ") must be a JSON object, not " + config);
    }
    ThreadingModel threading = threading(where, className, valueOr(entry, "threading", ThreadingModel.EVENT_LOOP.name()));
    requireVerticleClass(where, className);
    return new Entry(className, ((Number) instances).intValue(), (JsonObject) config, threading);
  }

  private static Object valueOr(JsonObject entry, String key, Object absent) {
    return entry.containsKey(key) ? entry.getValue(key) : absent;
  }

  /** What an application verticle may run on (EXTERNAL is for Vert.x integrations, not for deploying). */
  private static final List<ThreadingModel> THREADING = List.of(ThreadingModel.EVENT_LOOP, ThreadingModel.WORKER, ThreadingModel.VIRTUAL_THREAD);

  private static ThreadingModel threading(String where, String className, Object value) {
    return THREADING.stream().filter(model -> model.name().equals(value)).findFirst()
      .orElseThrow(() -> new IllegalArgumentException(where + ".threading (" + className + ") must be one of "
        + THREADING + ", not " + value));
  }

  private static void requireVerticleClass(String where, String className) {
    Class<?> type;
    try {
      type = Class.forName(className, false, classLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(where + ": verticle class " + className
        + " is not on the classpath; add its jar: java -cp parley.jar:your-app.jar io.parley.launcher.ParleyLauncher", e);
    } catch (LinkageError e) {
      // the class is there but something it needs is not (a dependency left out of the app's jar)
      throw new IllegalArgumentException(where + ": verticle class " + className + " cannot be loaded: " + e, e);
    }
    if (!Verticle.class.isAssignableFrom(type) && !Deployable.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(where + ": " + className + " is not a verticle (extend VerticleBase or AbstractVerticle)");
    }
  }

  /** The loader Vert.x instantiates verticles with: the thread's, else Parley's own. */
  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : ApplicationVerticles.class.getClassLoader();
  }

  /**
   * Deploys each class in the listed order, one after the other, so a verticle may rely on the
   * ones listed before it. Called from the node's context, the deployments are the node's
   * children: undeploying the node undeploys them.
   */
  public Future<Void> deploy(Vertx vertx) {
    Future<Void> deployed = Future.succeededFuture();
    for (int i = 0; i < entries.size(); i++) {
      Entry entry = entries.get(i);
      String where = KEY + "[" + i + "]";
      deployed = deployed.compose(v -> vertx.deployVerticle(entry.className(), new DeploymentOptions()
          .setInstances(entry.instances()).setConfig(entry.config().copy()).setThreadingModel(entry.threading()))
        .recover(e -> Future.failedFuture(new IllegalStateException(where + ": " + entry.className()
          + " failed to start: " + e.getMessage(), e)))
        .mapEmpty());
    }
    return deployed;
  }
}
