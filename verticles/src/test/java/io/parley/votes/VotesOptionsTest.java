package io.parley.votes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code votes} configuration section: defaults, and values a node refuses to start with. */
class VotesOptionsTest {

  @Test
  void an_empty_section_gives_the_documented_defaults() {
    VotesOptions options = VotesOptions.fromConfig(null);

    assertThat(options).isEqualTo(VotesOptions.defaults());
    assertThat(options.tickMs()).isEqualTo(1_000);
    assertThat(options.history()).isEqualTo(new VotesOptions.HistoryPolicy(3_600, 3_600_000));
    assertThat(options.options()).containsExactly("yes", "no");
    assertThat(options.pokerOptions()).containsExactly("0", "1", "2", "3", "5", "8", "13", "21", "?");
  }

  @Test
  void every_key_is_read() {
    VotesOptions options = VotesOptions.fromConfig(new JsonObject().put("tickMs", 200).put("historySize", 10)
      .put("historyMaxAgeMs", 60_000).put("options", new JsonArray().add("agree").add("disagree").add("pass"))
      .put("pokerOptions", new JsonArray().add("S").add("M").add("L")));

    assertThat(options).isEqualTo(new VotesOptions(200, new VotesOptions.HistoryPolicy(10, 60_000),
      List.of("agree", "disagree", "pass"), List.of("S", "M", "L")));
  }

  @Test
  void bad_values_are_refused_with_the_key_named() {
    assertThatThrownBy(() -> VotesOptions.fromConfig(new JsonObject().put("tickMs", 10))).hasMessageContaining("votes.tickMs");
    assertThatThrownBy(() -> VotesOptions.fromConfig(new JsonObject().put("options", new JsonArray())))
      .hasMessageContaining("votes.options");
    assertThatThrownBy(() -> VotesOptions.fromConfig(new JsonObject().put("options", new JsonArray().add("yes").add("yes"))))
      .hasMessageContaining("twice");
    assertThatThrownBy(() -> VotesOptions.fromConfig(new JsonObject().put("pokerOptions", new JsonArray().add(1).add(2))))
      .hasMessageContaining("votes.pokerOptions");
    assertThatThrownBy(() -> VotesOptions.fromConfig(new JsonObject().put("options", "yes,no")))
      .hasMessageContaining("array");
    assertThatThrownBy(() -> VotesOptions.fromConfig(new JsonObject().put("options", new JsonArray().add("x".repeat(33)))))
      .hasMessageContaining("32");
    assertThatThrownBy(() -> VotesOptions.fromConfig(new JsonObject().put("historySize", -1))).hasMessageContaining("historySize");
  }
}
