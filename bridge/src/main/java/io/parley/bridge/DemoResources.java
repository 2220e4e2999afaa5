package io.parley.bridge;

import io.parley.locks.Resource;
import io.parley.shared.Addresses;
import io.parley.shared.Failure;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The web demo's answers on {@code locks.resourceInfo}, standing in for a host application that
 * knows its own resources (the locks verticle asks; see {@code io.parley.locks.ResourceInfo}).
 * Answered only where the {@code /demo} routes are (dev tokens on), from the configuration:
 *
 * <pre>
 * "demo": {
 *   "resources": {
 *     "project-version:42": {"versionId": 42, "versionName": "Engineering", "templateId": 3, "templateName": "Onboarding checklist"},
 *     ...
 *   }
 * }
 * </pre>
 *
 * A listed resource answers its fields; an unlisted one of a kind the list has (another
 * {@code project-version}) a 404, as a host says a resource does not exist; any other kind
 * {@code {}}: the demo has nothing to show of it, and locks on it work all the same.
 */
public record DemoResources(Map<String, JsonObject> resources) {

  public DemoResources {
    resources = Map.copyOf(resources);
  }

  /** The {@code demo} section; none or no {@code resources}: the demo knows no resource. */
  public static DemoResources fromConfig(JsonObject demo) {
    JsonObject listed = demo == null ? null : demo.getJsonObject("resources");
    if (listed == null) {
      return new DemoResources(Map.of());
    }
    return new DemoResources(listed.fieldNames().stream().collect(Collectors.toMap(key -> key, key -> {
      Object fields = listed.getValue(key);
      if (!(fields instanceof JsonObject object)) {
        throw new IllegalArgumentException("demo.resources." + key + " must be an object of the fields its lock status shows");
      }
      return object.copy();
    })));
  }

  /** Answers {@code locks.resourceInfo} on this verticle's context (unregistered with it). */
  Future<Void> answer(EventBus bus) {
    Set<String> kinds = resources.keySet().stream().map(DemoResources::kindOf).filter(Objects::nonNull).collect(Collectors.toSet());
    return bus.<Object>consumer(Addresses.LOCKS_RESOURCE_INFO, message -> reply(message, kinds)).completion();
  }

  private void reply(Message<Object> message, Set<String> kinds) {
    String resource = message.body() instanceof JsonObject body ? body.getString("resource") : null;
    JsonObject fields = resource == null ? null : resources.get(resource);
    if (fields != null) {
      message.reply(fields.copy());
    } else if (resource != null && kinds.contains(kindOf(resource))) {
      message.fail(Failure.NOT_FOUND, "the demo has no " + resource);
    } else {
      message.reply(new JsonObject());
    }
  }

  /** The kind of a resource key, as the locks verticle reads it; null for what is no resource key. */
  private static String kindOf(String resource) {
    try {
      return Resource.of(resource).kind();
    } catch (RuntimeException notAResource) {
      return null;
    }
  }
}
