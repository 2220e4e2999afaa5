package io.parley.notifications;

import io.parley.shared.Failure;

import java.util.regex.Pattern;

/**
 * A notification topic, such as {@code Pet} or {@code board:42/tasks}: 1–{@value #MAX_LENGTH}
 * characters of {@code [A-Za-z0-9_:./-]}. Topics are open: any authenticated session may
 * subscribe to any topic (Pusher's public channels); what must stay private goes to a room.
 */
public record Topic(String value) {

  public static final int MAX_LENGTH = 128;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_:./-]{1," + MAX_LENGTH + "}");

  public Topic {
    if (value == null || value.isEmpty()) {
      throw Failure.badRequest("a topic must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw Failure.badRequest("a topic must be at most " + MAX_LENGTH + " characters, not " + value.length());
    }
    if (!VALID.matcher(value).matches()) {
      throw Failure.badRequest("a topic must match [A-Za-z0-9_:./-]{1," + MAX_LENGTH + "}, not '" + value + "'");
    }
  }

  /** Validates a topic from a request: a bad one is a 400 that says what a topic looks like. */
  public static Topic of(String value) {
    return new Topic(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
