package io.parley.votes;

import io.parley.shared.Await;
import io.parley.shared.MutableClock;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@link VoteStore} contract for stores that several nodes share (Redis): on top of the
 * single-store contract, what two nodes over the same data see.
 */
abstract class SharedVoteStoreContract extends VoteStoreContract {

  /** Another store over the same data as {@code store}, as a second node sees it (Redis: same server and prefix). */
  protected abstract VoteStore createPeer(VoteStore store, VotesOptions.HistoryPolicy policy, MutableClock clock);

  private VoteStore peer() {
    VoteStore peer = createPeer(store, DEFAULT_POLICY, clock);
    closeAfterTest(peer);
    return peer;
  }

  @Test
  void two_nodes_claim_each_interval_once_between_them() throws Exception {
    VoteStore peer = peer();
    List<Long> claimed = Collections.synchronizedList(new ArrayList<>());
    runConcurrently(2, thread -> {
      VoteStore mine = thread == 0 ? store : peer;
      for (long n = 1; n <= 50; n++) {
        if (claim(mine, n)) {
          claimed.add(n);
        }
      }
    });

    assertThat(claimed).hasSize(50).doesNotHaveDuplicates();
  }

  @Test
  void two_nodes_see_the_same_votes_ticks_and_history() {
    VoteStore peer = peer();
    cast(store, ROOM, "u1", "yes", 1);
    cast(peer, ROOM, "u2", "no", 1);
    cast(peer, ROOM, "u1", "no", 0);  // stale on the other node too
    JsonObject ticked = tick(peer, ROOM, 1_000, 2).entry();

    assertThat(ticked.getJsonObject("votes")).isEqualTo(votes(1, 1));
    assertThat(Await.result(store.tick(ROOM, 1_000, 2, YES_NO))).as("the peer ticked this interval").isNull();
    assertThat(history(store, ROOM, 0)).containsExactly(ticked);
    assertThat(withdraw(peer, ROOM, "u1", clock.millis())).isTrue();
    assertThat(withdraw(store, ROOM, "u1", clock.millis())).as("once, whichever node").isFalse();
    assertThat(Await.result(peer.activeRooms())).containsExactly(ROOM);
  }
}
