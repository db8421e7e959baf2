package io.tillwatch.agent.config;

import io.tillwatch.model.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A Redis server ({@code type: redis}), such as the one holding Odoo's sessions.
 *
 * @param name unique target name
 * @param url {@code redis://host:port} or {@code rediss://host:port} (TLS)
 * @param user optional ACL user (Redis 6+)
 * @param password optional password
 * @param interval optional per-target scrape interval
 */
public record RedisTargetConfig(
    String name, URI url, Optional<String> user, Secret password, Optional<Duration> interval)
    implements TargetConfig {
  /** The {@code type:} value. */
  public static final String TYPE = "redis";

  public RedisTargetConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(interval, "interval");
    if (url == null
        || !("redis".equals(url.getScheme()) || "rediss".equals(url.getScheme()))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "url must be redis://host:port or rediss://host:port, got '" + url + "'");
    }
    interval.ifPresent(d -> AgentConfig.requirePositive(d, "interval"));
  }

  /** Parses and checks a Redis URL. */
  public static URI parseUrl(String text) {
    try {
      URI u = new URI(text);
      if (!("redis".equals(u.getScheme()) || "rediss".equals(u.getScheme()))
          || u.getHost() == null) {
        throw new IllegalArgumentException(
            "'" + text + "' is not a Redis URL (expected redis://host:port or rediss://host:port)");
      }
      return u;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URL: " + e.getReason(), e);
    }
  }

  @Override
  public String type() {
    return TYPE;
  }
}
