package io.parley.locks;

import io.parley.shared.Failure;
import io.parley.shared.RoomName;

import java.util.regex.Pattern;

/**
 * A lockable resource key, {@code <kind>:<id>}, e.g. {@code project-version:42}.
 *
 * <p>Kind and id are 1–64 characters of {@code [A-Za-z0-9_.-]}, and the whole key at most
 * {@value #MAX_LENGTH}, so that its watchers' room {@code lock-<key>} is a valid room name.
 * A {@code project-version} id is a positive integer written without leading zeros: a lock is
 * keyed by its text, and {@code project-version:042} must not be a second lock on version 42.
 */
public record Resource(String kind, String id) {

  public static final int MAX_LENGTH = RoomName.MAX_LENGTH - "lock-".length();
  /** The web demo's kind, whose ids are numbers (what a status shows of it is the host's: {@link ResourceInfo}). */
  public static final String PROJECT_VERSION = "project-version";

  private static final Pattern FORMAT = Pattern.compile("([A-Za-z0-9_.-]{1,64}):([A-Za-z0-9_.-]{1,64})");
  private static final Pattern PROJECT_VERSION_ID = Pattern.compile("[1-9][0-9]{0,17}");

  /** Validates a key from a request: a bad one is a 400 that says what a key looks like. */
  public static Resource of(String key) {
    if (key == null || key.length() > MAX_LENGTH) {
      throw Failure.badRequest("resource must be <kind>:<id> of at most " + MAX_LENGTH + " characters");
    }
    var m = FORMAT.matcher(key);
    if (!m.matches()) {
      throw Failure.badRequest("resource must be <kind>:<id>, each 1-64 characters of [A-Za-z0-9_.-] "
        + "(e.g. project-version:42), not '" + key + "'");
    }
    Resource resource = new Resource(m.group(1), m.group(2));
    if (PROJECT_VERSION.equals(resource.kind) && !PROJECT_VERSION_ID.matcher(resource.id).matches()) {
      throw Failure.badRequest("a project-version id is a positive integer without leading zeros, not '" + resource.id + "'");
    }
    return resource;
  }

  public String key() {
    return kind + ":" + id;
  }

  /** The room whose members are told every change of this lock: {@code lock-<key>}. */
  public RoomName watchers() {
    return RoomName.of("lock-" + key());
  }

  @Override
  public String toString() {
    return key();
  }
}
