package io.tillwatch.demo;

import io.tillwatch.model.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@code tillwatch demo} is asked for.
 *
 * @param listen where the agent serves {@code /metrics}
 * @param collectorPort the collector's OTLP/HTTP port
 * @param interval scrape and evaluation interval
 * @param pgBin PostgreSQL server binaries; empty: the machine's newest, or Maven Central's
 * @param embedded Maven Central's PostgreSQL even when the machine has one
 * @param reportAfter when this week's SLO report so far is rendered to files
 */
public record DemoOptions(
    HostPort listen,
    int collectorPort,
    Duration interval,
    Optional<Path> pgBin,
    boolean embedded,
    Duration reportAfter) {
  /** The default {@code reportAfter}: a few minutes of SLO slices. */
  public static final Duration REPORT_AFTER = Duration.ofMinutes(3);
}
