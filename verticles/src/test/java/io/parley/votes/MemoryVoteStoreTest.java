package io.parley.votes;

import io.parley.shared.MutableClock;

/** The in-memory store against the {@link VoteStore} contract. */
class MemoryVoteStoreTest extends VoteStoreContract {

  @Override
  protected VoteStore createStore(VotesOptions.HistoryPolicy policy, MutableClock clock) {
    return new MemoryVoteStore(clock, policy);
  }
}
