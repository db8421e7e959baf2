package io.tillwatch.agent.config;

import com.google.re2j.Pattern;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Traefik instance's metrics, filtered to one tenant ({@code type: traefik}).
 *
 * @param name unique target name
 * @param url Traefik's Prometheus endpoint, e.g. {@code http://traefik:8080/metrics}
 * @param services the tenant's Traefik services: each a full name or an (anchored) regex, e.g.
 *     {@code odoo-acme@kubernetes} or {@code odoo-acme-.*@kubernetes}
 * @param hosts the tenant's host names, to pick its TLS certificates ({@code *.acme.example} ok)
 * @param accessLog optional path of Traefik's JSON access log, for exact latency buckets
 * @param interval optional per-target scrape interval
 */
public record TraefikTargetConfig(
    String name,
    URI url,
    List<Pattern> services,
    List<String> hosts,
    Optional<Path> accessLog,
    Optional<Duration> interval)
    implements TargetConfig {
  /** The {@code type:} value. */
  public static final String TYPE = "traefik";

  public TraefikTargetConfig {
    Objects.requireNonNull(name, "name");
    services = List.copyOf(services);
    hosts = List.copyOf(hosts);
    Objects.requireNonNull(accessLog, "accessLog");
    Objects.requireNonNull(interval, "interval");
    if (url == null || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
      throw new IllegalArgumentException(
          "url must be an http(s) URL of Traefik's /metrics, got '" + url + "'");
    }
    if (services.isEmpty()) {
      throw new IllegalArgumentException("services is empty: name the tenant's Traefik services");
    }
    interval.ifPresent(d -> AgentConfig.requirePositive(d, "interval"));
  }

  /** Equal when every setting is, services compared by their patterns' text. */
  @Override
  public boolean equals(Object o) {
    return o instanceof TraefikTargetConfig t
        && name.equals(t.name)
        && url.equals(t.url)
        && patterns().equals(t.patterns())
        && hosts.equals(t.hosts)
        && accessLog.equals(t.accessLog)
        && interval.equals(t.interval);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, url, patterns(), hosts, accessLog, interval);
  }

  private List<String> patterns() {
    return services.stream().map(Pattern::pattern).toList();
  }

  /** A service entry: the full name, or an RE2 regex matched against the whole name. */
  public static Pattern service(String entry) {
    try {
      return Pattern.compile(entry);
    } catch (com.google.re2j.PatternSyntaxException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Whether {@code service} is one of the tenant's. */
  public boolean ownsService(String service) {
    if (service == null) {
      return false;
    }
    for (Pattern p : services) {
      if (p.matcher(service).matches()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code host} is one of the tenant's ({@code *.x} matches one label under x). */
  public boolean ownsHost(String host) {
    String h = host.toLowerCase(java.util.Locale.ROOT);
    for (String owned : hosts) {
      String o = owned.toLowerCase(java.util.Locale.ROOT);
      if (o.equals(h)) {
        return true;
      }
      if (o.startsWith("*.") && h.endsWith(o.substring(1))) {
        String first = h.substring(0, h.length() - o.length() + 1);
        if (!first.isEmpty() && first.indexOf('.') < 0) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  public String type() {
    return TYPE;
  }
}
