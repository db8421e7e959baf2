package io.tillwatch.agent.config;

import io.tillwatch.model.HostPort;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The agent's own settings ({@code agent:} in the estate file).
 *
 * @param listen where {@code /metrics} is served
 * @param interval default scrape interval of every target
 * @param timeout per-target scrape timeout; a scrape that takes longer is {@code up 0, timeout}
 * @param push where samples are pushed (OTLP/HTTP), if anywhere
 * @param web TLS and basic auth of {@code /metrics} and {@code /health} ({@code
 *     agent.web_config_file}, Prometheus's web configuration format)
 */
public record AgentConfig(
    HostPort listen,
    Duration interval,
    Duration timeout,
    Optional<PushConfig> push,
    io.tillwatch.web.WebConfig web) {
  /** Defaults when the file says nothing. */
  public static final AgentConfig DEFAULTS =
      new AgentConfig(
          new HostPort("127.0.0.1", 9464), Duration.ofSeconds(15), Duration.ofSeconds(5));

  /** Settings without push. */
  public AgentConfig(HostPort listen, Duration interval, Duration timeout) {
    this(listen, interval, timeout, Optional.empty());
  }

  /** Settings without TLS or basic auth. */
  public AgentConfig(
      HostPort listen, Duration interval, Duration timeout, Optional<PushConfig> push) {
    this(listen, interval, timeout, push, io.tillwatch.web.WebConfig.NONE);
  }

  public AgentConfig {
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(push, "push");
    Objects.requireNonNull(web, "web");
    requirePositive(interval, "interval");
    requirePositive(timeout, "timeout");
  }

  static void requirePositive(Duration d, String field) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(field + " must be a positive duration");
    }
  }
}
