package io.tillwatch.config;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * How configuration reloads went, as Prometheus tells it ({@code
 * tillwatch_config_last_reload_successful}, {@code …_last_reload_success_timestamp_seconds}): a
 * configuration that does not load is refused, logged, and the running one stays.
 */
public final class ConfigReloads {
  private static final System.Logger LOG = System.getLogger(ConfigReloads.class.getName());

  private final AtomicInteger lastOk = new AtomicInteger(1);
  private final AtomicLong lastSuccessMillis = new AtomicLong(System.currentTimeMillis());

  /** Reads the new configuration; when it does not load, says so and throws its error. */
  public <T> T read(Supplier<T> from) {
    try {
      return from.get();
    } catch (RuntimeException e) {
      lastOk.set(0);
      LOG.log(
          System.Logger.Level.ERROR,
          "reload refused, the running configuration stays: " + e.getMessage());
      throw e;
    }
  }

  /** The new configuration is applied. */
  public void applied(String what) {
    lastOk.set(1);
    lastSuccessMillis.set(System.currentTimeMillis());
    LOG.log(System.Logger.Level.INFO, "configuration reloaded" + what);
  }

  /** 1 when the last reload was applied (or none was tried), 0 when it was refused. */
  public double lastSuccessful() {
    return lastOk.get();
  }

  /** When the configuration was last loaded (start or reload), in Unix seconds. */
  public double lastSuccessSeconds() {
    return lastSuccessMillis.get() / 1000.0;
  }
}
