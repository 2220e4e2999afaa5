package io.parley.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A benchmark's command line: {@code --name value} and {@code --name=value} options, and
 * boolean {@code --flag}s. Every name must be declared by a getter call before
 * {@link #rejectUnknown()}, so a misspelt option fails instead of being ignored.
 */
final class Args {

  /** A command line that cannot be run; the message says what to fix. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  private final Map<String, String> values = new LinkedHashMap<>();
  private final Set<String> known = new LinkedHashSet<>();

  Args(String[] argv) {
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      if (!arg.startsWith("--") || arg.length() == 2) {
        throw new UsageException("unexpected argument '" + arg + "': options are --name value");
      }
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        values.put(name.substring(0, eq), name.substring(eq + 1));
      } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
        values.put(name, argv[++i]);
      } else {
        values.put(name, null); // a flag
      }
    }
  }

  boolean flag(String name) {
    known.add(name);
    if (!values.containsKey(name)) {
      return false;
    }
    String value = values.get(name);
    if (value == null || value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new UsageException("--" + name + " is a flag: give it alone, or =true / =false");
  }

  String string(String name, String defaultValue) {
    known.add(name);
    if (!values.containsKey(name)) {
      return defaultValue;
    }
    String value = values.get(name);
    if (value == null) {
      throw new UsageException("--" + name + " needs a value");
    }
    return value;
  }

  int integer(String name, int defaultValue, int min, int max) {
    String value = string(name, null);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.replace("_", ""));
      if (parsed < min || parsed > max) {
        throw new UsageException("--" + name + " must be between " + min + " and " + max + ", not " + parsed);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a whole number, not '" + value + "'");
    }
  }

  List<String> list(String name, String defaultValue) {
    String value = string(name, defaultValue);
    List<String> items = new ArrayList<>();
    if (value != null) {
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          items.add(item.trim());
        }
      }
    }
    return items;
  }

  /** {@code --name}: a host in 127.0.0.0/8, as an address; benchmarks target this machine only. */
  String loopbackHost(String name, String defaultValue) {
    return loopback("--" + name, string(name, defaultValue));
  }

  /** {@code --name}: a non-empty comma-separated list of ports. */
  List<Integer> ports(String name, String defaultValue) {
    List<Integer> ports = new ArrayList<>();
    for (String port : list(name, defaultValue)) {
      try {
        ports.add(Integer.parseInt(port));
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + ": '" + port + "' is not a port");
      }
    }
    if (ports.isEmpty()) {
      throw new UsageException("--" + name + " needs at least one port");
    }
    return ports;
  }

  /** {@code address} resolved, if it is in 127.0.0.0/8; else a usage error naming {@code option}. */
  static String loopback(String option, String address) {
    try {
      InetAddress parsed = InetAddress.getByName(address);
      byte[] bytes = parsed.getAddress();
      if (bytes.length != 4 || bytes[0] != 127) {
        throw new UsageException(option + " " + address + " is not in 127.0.0.0/8: benchmarks run over loopback only");
      }
      return parsed.getHostAddress();
    } catch (UnknownHostException e) {
      throw new UsageException(option + ": cannot resolve " + address);
    }
  }

  /** {@code --lanes N}: event loops for the tabs, by default one per available processor. */
  int lanes(int max) {
    return integer("lanes", Runtime.getRuntime().availableProcessors(), 1, max);
  }

  /**
   * {@code --conf FILE} and {@code --secret S}: the HS256 secret the dev tokens are signed
   * with. Read when asked, after {@link #rejectUnknown()}, so a misspelt option is reported
   * before a missing file, and only by a generator that signs tokens.
   */
  Supplier<String> tokenSecret() {
    String conf = string("conf", "conf/default.json");
    String secret = string("secret", null);
    return () -> secret != null ? secret : DevTokens.secret(Path.of(conf), System.getenv());
  }

  /**
   * {@code --api-key K} and {@code --conf FILE}: the key a service authenticates with, by default
   * the first of the nodes' {@code api.keys}. Read when asked, like {@link #tokenSecret()}.
   */
  Supplier<String> apiKey() {
    String conf = string("conf", "conf/default.json");
    String key = string("api-key", null);
    return () -> key != null ? key : DevTokens.apiKey(Path.of(conf), System.getenv());
  }

  /**
   * {@code --pusher-key K} and {@code --conf FILE}: the Pusher app key in {@code /app/<key>}, by
   * default the first of the nodes' {@code pusher.apps}. Read when asked, like {@link #tokenSecret()}.
   */
  Supplier<String> pusherKey() {
    String conf = string("conf", "conf/default.json");
    String key = string("pusher-key", null);
    return () -> key != null ? key : DevTokens.pusherKey(Path.of(conf), System.getenv());
  }

  void rejectUnknown() {
    for (String name : values.keySet()) {
      if (!known.contains(name)) {
        throw new UsageException("unknown option --" + name + " (--help lists them)");
      }
    }
  }
}
