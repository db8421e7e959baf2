package io.tillwatch.collector.remote;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One thread that runs tasks in the order given, with room for {@code capacity} waiting tasks: when
 * the room is full, {@link #execute} waits for a place instead of growing without bound, so that a
 * slow disk under the remote-write queues slows the ingest writer (whose own bound then answers
 * 429) rather than filling the heap.
 */
public final class Handoff implements AutoCloseable {
  private final ThreadPoolExecutor executor;

  public Handoff(String threadName, int capacity) {
    this.executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity),
            Thread.ofPlatform().name(threadName).daemon().factory(),
            (task, pool) -> {
              if (pool.isShutdown()) {
                throw new RejectedExecutionException(threadName + " is stopped");
              }
              try {
                pool.getQueue().put(task);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RejectedExecutionException(threadName + ": interrupted while waiting");
              }
            });
  }

  /** Runs {@code task} after those given before; waits while {@code capacity} tasks wait. */
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /** Tasks waiting to run. */
  public int waiting() {
    return executor.getQueue().size();
  }

  /** Runs what waits, then stops; waits up to {@code seconds} for that. */
  public void close(long seconds) throws InterruptedException {
    executor.shutdown();
    executor.awaitTermination(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      close(30);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
