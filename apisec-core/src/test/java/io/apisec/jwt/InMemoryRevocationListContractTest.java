package io.apisec.jwt;

import java.time.Clock;

class InMemoryRevocationListContractTest extends RevocationListContract {
  @Override
  protected RevocationList createList(Clock clock) {
    return new InMemoryRevocationList(clock);
  }
}
