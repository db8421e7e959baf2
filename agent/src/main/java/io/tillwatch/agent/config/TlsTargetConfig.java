package io.tillwatch.agent.config;

import io.tillwatch.model.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A TLS endpoint whose certificate chain is read ({@code type: tls}): a web shop, the POS sync's
 * endpoint, an API.
 *
 * @param name unique target name
 * @param address {@code host:port} connected to
 * @param serverName the name sent as SNI and checked against the certificate (default: the host)
 * @param caFile CAs (PEM) trusted besides the system's, for private CAs
 * @param interval optional per-target scrape interval
 */
public record TlsTargetConfig(
    String name,
    HostPort address,
    String serverName,
    Optional<Path> caFile,
    Optional<Duration> interval)
    implements TargetConfig {
  /** The {@code type:} value. */
  public static final String TYPE = "tls";

  public TlsTargetConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(interval, "interval");
    if (serverName == null || serverName.isBlank()) {
      serverName = address.host();
    }
    interval.ifPresent(d -> AgentConfig.requirePositive(d, "interval"));
  }

  @Override
  public String type() {
    return TYPE;
  }
}
