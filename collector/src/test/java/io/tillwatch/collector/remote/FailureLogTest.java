package io.tillwatch.collector.remote;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FailureLogTest {
  @Test
  void aRecurringReasonIsLoggedOncePerPeriod() {
    AtomicLong now = new AtomicLong(1_000);
    FailureLog log = new FailureLog(300_000, now::get);
    assertTrue(log.shouldLog("HTTP 400: out of order"));
    assertFalse(log.shouldLog("HTTP 400: out of order"));
    assertTrue(log.shouldLog("no answer"), "another reason is logged at once");
    now.addAndGet(299_999);
    assertFalse(log.shouldLog("HTTP 400: out of order"));
    now.addAndGet(1);
    assertTrue(log.shouldLog("HTTP 400: out of order"));
    assertFalse(log.shouldLog("HTTP 400: out of order"));
  }

  @Test
  void manyDistinctReasonsKeepMemoryBounded() {
    AtomicLong now = new AtomicLong();
    FailureLog log = new FailureLog(300_000, now::get);
    assertTrue(log.shouldLog("first"));
    for (int i = 0; i < 64; i++) {
      assertTrue(log.shouldLog("reason " + i));
    }
    // the oldest reason was forgotten: logged again, which is the bounded cost
    assertTrue(log.shouldLog("first"));
  }
}
