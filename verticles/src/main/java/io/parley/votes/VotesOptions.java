package io.parley.votes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.List;

/**
 * The {@code votes} section of the configuration.
 *
 * <pre>
 * "votes": {
 *   "tickMs": 1000,               // one tally per active votes room per interval, cluster-wide
 *   "historySize": 3600,          // ticks kept per room (an hour at one a second) ...
 *   "historyMaxAgeMs": 3600000,   // ... and none older than this
 *   "options": ["yes", "no"],     // what may be voted in votes-&lt;room&gt;
 *   "pokerOptions": ["0", "1", "2", "3", "5", "8", "13", "21", "?"]   // in planning-poker-&lt;id&gt;
 * }
 * </pre>
 *
 * @param tickMs          length of a tally interval; at least {@link #MIN_TICK_MS}
 * @param history         how many ticks each room keeps for late joiners
 * @param options         the values of a {@code votes-<room>}, in the order ticks list them
 * @param pokerOptions    the values of a {@code planning-poker-<id>}, smallest estimate first
 *                        (ties in a task's result go to the later one)
 */
public record VotesOptions(long tickMs, HistoryPolicy history, List<String> options, List<String> pokerOptions) {

  public static final long DEFAULT_TICK_MS = 1_000;
  public static final long MIN_TICK_MS = 50;
  public static final List<String> DEFAULT_OPTIONS = List.of("yes", "no");
  public static final List<String> DEFAULT_POKER_OPTIONS = List.of("0", "1", "2", "3", "5", "8", "13", "21", "?");
  /** Longest option: an option is a hash field and a JSON key in every tick. */
  public static final int MAX_OPTION_LENGTH = 32;
  public static final int MAX_OPTIONS = 64;

  public VotesOptions {
    if (tickMs < MIN_TICK_MS) {
      throw new IllegalArgumentException("votes.tickMs must be at least " + MIN_TICK_MS + ", not " + tickMs);
    }
    options = checked("votes.options", options);
    pokerOptions = checked("votes.pokerOptions", pokerOptions);
  }

  /**
   * How much of a room's tally history is kept: at most {@code maxSize} ticks, none older than
   * {@code maxAgeMs} (by the store's clock).
   */
  public record HistoryPolicy(int maxSize, long maxAgeMs) {
    public static final int DEFAULT_MAX_SIZE = 3_600;
    public static final long DEFAULT_MAX_AGE_MS = 3_600_000;

    public HistoryPolicy {
      if (maxSize < 0 || maxAgeMs < 0) {
        throw new IllegalArgumentException("votes.historySize and votes.historyMaxAgeMs must not be negative");
      }
    }
  }

  public static VotesOptions defaults() {
    return new VotesOptions(DEFAULT_TICK_MS, new HistoryPolicy(HistoryPolicy.DEFAULT_MAX_SIZE, HistoryPolicy.DEFAULT_MAX_AGE_MS),
      DEFAULT_OPTIONS, DEFAULT_POKER_OPTIONS);
  }

  public static VotesOptions fromConfig(JsonObject votes) {
    JsonObject json = votes == null ? new JsonObject() : votes;
    return new VotesOptions(
      json.getLong("tickMs", DEFAULT_TICK_MS),
      new HistoryPolicy(json.getInteger("historySize", HistoryPolicy.DEFAULT_MAX_SIZE),
        json.getLong("historyMaxAgeMs", HistoryPolicy.DEFAULT_MAX_AGE_MS)),
      strings("votes.options", json.getValue("options"), DEFAULT_OPTIONS),
      strings("votes.pokerOptions", json.getValue("pokerOptions"), DEFAULT_POKER_OPTIONS));
  }

  private static List<String> strings(String key, Object value, List<String> fallback) {
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof JsonArray array)) {
      throw new IllegalArgumentException(key + " must be an array of strings");
    }
    return array.stream().map(item -> {
      if (!(item instanceof String s)) {
        throw new IllegalArgumentException(key + " must be an array of strings, not " + array.encode());
      }
      return s;
    }).toList();
  }

  private static List<String> checked(String key, List<String> values) {
    if (values == null || values.isEmpty() || values.size() > MAX_OPTIONS) {
      throw new IllegalArgumentException(key + " must list 1 to " + MAX_OPTIONS + " options");
    }
    if (new HashSet<>(values).size() != values.size()) {
      throw new IllegalArgumentException(key + " lists an option twice: " + values);
    }
    for (String value : values) {
      if (value == null || value.isEmpty() || value.length() > MAX_OPTION_LENGTH) {
        throw new IllegalArgumentException(key + ": each option must be 1 to " + MAX_OPTION_LENGTH
          + " characters, not '" + value + "'");
      }
    }
    return List.copyOf(values);
  }
}
