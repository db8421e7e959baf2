package io.tillwatch.agent;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/** Runs a collector's blocking I/O (JDBC, Jedis, processes) off the event loop. */
public final class Blocking {
  private Blocking() {}

  /**
   * Runs {@code work} on {@code executor}; its result or exception completes the future. JVM errors
   * ({@link VirtualMachineError}, {@link LinkageError}) fail the future and are rethrown.
   */
  public static <T> Future<T> run(Executor executor, Callable<T> work) {
    Promise<T> promise = Promise.promise();
    executor.execute(
        () -> {
          try {
            promise.complete(work.call());
          } catch (VirtualMachineError | LinkageError fatal) {
            promise.fail(fatal);
            throw fatal;
          } catch (Exception e) {
            promise.fail(e);
          }
        });
    return promise.future();
  }
}
