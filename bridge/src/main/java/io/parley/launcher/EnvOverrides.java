package io.parley.launcher;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Map;

/**
 * One rule ({@code docs/configuration.md}): every configuration key can be overridden by an environment
 * variable named {@code PARLEY_} + the key path in upper snake case ({@code auth.timeoutMs}
 * → {@code PARLEY_AUTH_TIMEOUT_MS}).
 *
 * <p>The names are derived from the keys the configuration has, which is why
 * {@code conf/default.json} lists every key (with {@code null} where there is no default):
 * camel case and nesting both become underscores, so the reverse mapping would be ambiguous.
 * A value is read as the type of the key's current value: numbers, booleans, JSON for
 * objects, JSON or comma-separated strings for arrays, text otherwise.
 */
final class EnvOverrides {

  static final String PREFIX = "PARLEY";

  static JsonObject apply(JsonObject config, Map<String, String> env) {
    JsonObject result = config.copy();
    override(result, PREFIX, env);
    return result;
  }

  /** The variable that overrides {@code path} ({@code "auth", "timeoutMs"} → {@code PARLEY_AUTH_TIMEOUT_MS}). */
  static String variableFor(String... path) {
    StringBuilder name = new StringBuilder(PREFIX);
    Arrays.stream(path).forEach(key -> name.append('_').append(upperSnake(key)));
    return name.toString();
  }

  private static void override(JsonObject node, String prefix, Map<String, String> env) {
    for (String key : node.fieldNames().toArray(String[]::new)) {
      String variable = prefix + "_" + upperSnake(key);
      Object current = node.getValue(key);
      if (current instanceof JsonObject child && !env.containsKey(variable)) {
        override(child, variable, env);
      } else if (env.containsKey(variable)) {
        node.put(key, parse(variable, env.get(variable), current));
      }
    }
  }

  private static Object parse(String variable, String raw, Object current) {
    String value = raw.trim();
    try {
      if (current instanceof Boolean) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException("expected true or false");
        }
        return Boolean.parseBoolean(value);
      }
      if (current instanceof Integer || current instanceof Long) {
        return Long.parseLong(value);
      }
      if (current instanceof Number) {
        return Double.parseDouble(value);
      }
      if (current instanceof JsonObject) {
        return new JsonObject(value);
      }
      if (current instanceof JsonArray) {
        if (value.startsWith("[")) {
          return new JsonArray(value);
        }
        JsonArray items = new JsonArray();
        Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(items::add);
        return items;
      }
      return raw;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(variable + "=" + raw + " is not valid: " + e.getMessage(), e);
    }
  }

  static String upperSnake(String key) {
    return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('-', '_').replace('.', '_').toUpperCase();
  }

  private EnvOverrides() {
  }
}
