package io.tillwatch.agent;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/** What every collector of one agent shares: timeout, where blocking I/O runs, the clock. */
public final class CollectorContext {
  private final Duration timeout;
  private final Executor blocking;
  private final Clock clock;
  private final Map<Class<?>, Object> shared = new ConcurrentHashMap<>();

  /**
   * @param timeout the agent's scrape timeout (drivers' own timeouts are set just above it)
   * @param blocking where collectors run blocking I/O (virtual threads)
   */
  public CollectorContext(Duration timeout, Executor blocking, Clock clock) {
    this.timeout = timeout;
    this.blocking = blocking;
    this.clock = clock;
  }

  public Duration timeout() {
    return timeout;
  }

  public Executor blocking() {
    return blocking;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * State that collectors of one type share across targets (e.g. replication topology: a standby is
   * judged against its primary), one instance per agent.
   */
  public <T> T shared(Class<T> type, Supplier<T> create) {
    return type.cast(shared.computeIfAbsent(type, k -> create.get()));
  }
}
