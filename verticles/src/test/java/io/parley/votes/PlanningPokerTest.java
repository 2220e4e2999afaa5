package io.parley.votes;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The result of a finalized task: the most common estimate, ties to the larger, "?" left out. */
class PlanningPokerTest {

  private static final List<String> POINTS = VotesOptions.DEFAULT_POKER_OPTIONS;

  @Test
  void the_most_common_value_wins() {
    assertThat(PlanningPoker.result(List.of("3", "5", "5", "8"), POINTS)).isEqualTo("5");
  }

  @Test
  void a_tie_goes_to_the_larger_estimate_not_the_larger_string() {
    assertThat(PlanningPoker.result(List.of("8", "13"), POINTS)).isEqualTo("13");
    assertThat(PlanningPoker.result(List.of("2", "2", "21", "21", "3"), POINTS)).isEqualTo("21");
  }

  @Test
  void no_idea_is_revealed_but_never_the_result() {
    assertThat(PlanningPoker.result(List.of("?", "?", "?", "1"), POINTS)).isEqualTo("1");
    assertThat(PlanningPoker.result(List.of("?", "?"), POINTS)).isNull();
    assertThat(PlanningPoker.result(List.of(), POINTS)).isNull();
  }

  @Test
  void ties_follow_the_configured_order_for_other_scales() {
    List<String> shirts = List.of("XS", "S", "M", "L", "XL");

    assertThat(PlanningPoker.result(List.of("XL", "S", "S", "XL"), shirts)).isEqualTo("XL");
  }
}
