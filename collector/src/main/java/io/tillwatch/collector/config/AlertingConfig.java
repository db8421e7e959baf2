package io.tillwatch.collector.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where alerts go ({@code alerting:} in the collector file).
 *
 * @param alertmanagers every Alertmanager of the cluster; each gets every alert
 * @param resendDelay how often a firing alert is sent again (Prometheus: 1m)
 * @param externalUrl how users reach the collector (alerts' {@code generatorURL})
 * @param dashboardUrl the tenant dashboard's URL to which the tenant id is appended; empty for none
 * @param queueCapacity the most alerts waiting for one Alertmanager
 * @param runbookBaseUrl what relative {@code runbook_url}s are resolved against; empty for none
 */
public record AlertingConfig(
    List<URI> alertmanagers,
    Duration resendDelay,
    String externalUrl,
    String dashboardUrl,
    int queueCapacity,
    String runbookBaseUrl) {
  public static final AlertingConfig NONE =
      new AlertingConfig(List.of(), Duration.ofMinutes(1), "", "", 10_000, "");

  public AlertingConfig {
    alertmanagers = List.copyOf(alertmanagers);
    Objects.requireNonNull(resendDelay, "resendDelay");
    Objects.requireNonNull(externalUrl, "externalUrl");
    Objects.requireNonNull(dashboardUrl, "dashboardUrl");
    Objects.requireNonNull(runbookBaseUrl, "runbookBaseUrl");
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue capacity must be at least 1");
    }
  }
}
