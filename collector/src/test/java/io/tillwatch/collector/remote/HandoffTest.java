package io.tillwatch.collector.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HandoffTest {
  @Test
  void aFullHandoffMakesTheCallerWaitAndKeepsOrder() throws Exception {
    List<Integer> ran = new CopyOnWriteArrayList<>();
    CountDownLatch release = new CountDownLatch(1);
    try (Handoff h = new Handoff("test-handoff", 2)) {
      h.execute(
          () -> {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ran.add(0);
          });
      // wait until the first task runs, so that the two places are free
      while (h.waiting() > 0) {
        Thread.onSpinWait();
      }
      h.execute(() -> ran.add(1));
      h.execute(() -> ran.add(2));
      CountDownLatch submitted = new CountDownLatch(1);
      Thread caller =
          Thread.ofPlatform()
              .start(
                  () -> {
                    h.execute(() -> ran.add(3));
                    submitted.countDown();
                  });
      assertFalse(
          submitted.await(300, TimeUnit.MILLISECONDS), "a third waiting task must wait for room");
      release.countDown();
      assertTrue(submitted.await(5, TimeUnit.SECONDS));
      caller.join();
    }
    assertEquals(List.of(0, 1, 2, 3), ran);
  }
}
