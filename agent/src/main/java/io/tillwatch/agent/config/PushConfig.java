package io.tillwatch.agent.config;

import io.tillwatch.model.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Pushing samples to a collector ({@code agent.push} in the estate file).
 *
 * @param url the collector's OTLP/HTTP metrics endpoint, e.g. {@code
 *     http://collector:4318/v1/metrics}
 * @param token the bearer token
 * @param bufferBytes the most the on-disk buffer holds; past it the oldest batches are dropped
 * @param bufferDir where the buffer lives (kept across restarts)
 * @param ownMetrics whether the agent's own metrics ({@code tillwatch_agent_*}: push, buffer,
 *     targets) go with each batch under the tenant {@code platform} (the token must be granted it),
 *     for the "tillwatch itself" dashboard read from the collector
 * @param insecure whether an {@code http://} URL to a host other than this one is allowed (the
 *     token then travels in clear); refused otherwise
 * @param caFile the CA (PEM) that signs the collector's certificate, besides the system's
 */
public record PushConfig(
    URI url,
    Secret token,
    long bufferBytes,
    Path bufferDir,
    boolean ownMetrics,
    boolean insecure,
    java.util.Optional<Path> caFile) {
  /** 512 MB. */
  public static final long DEFAULT_BUFFER_BYTES = 512L * 1000 * 1000;

  public static final Path DEFAULT_BUFFER_DIR = Path.of("data", "push-buffer");

  /** Without the agent's own metrics. */
  public PushConfig(URI url, Secret token, long bufferBytes, Path bufferDir) {
    this(url, token, bufferBytes, bufferDir, false);
  }

  /** With the system's CAs only, and no clear-text push beyond this machine. */
  public PushConfig(URI url, Secret token, long bufferBytes, Path bufferDir, boolean ownMetrics) {
    this(url, token, bufferBytes, bufferDir, ownMetrics, false, java.util.Optional.empty());
  }

  public PushConfig {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(bufferDir, "bufferDir");
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException("push url must be http:// or https://, got " + url);
    }
    if (bufferBytes < 1_000_000) {
      throw new IllegalArgumentException("push buffer must be at least 1MB");
    }
    Objects.requireNonNull(caFile, "caFile");
    if ("http".equals(url.getScheme()) && !insecure && !loopback(url.getHost())) {
      throw new IllegalArgumentException(
          "http:// to "
              + url.getHost()
              + " would send the push token in clear: use https://, or set insecure: true");
    }
  }

  /** This machine: {@code localhost}, 127.0.0.0/8, {@code ::1}. */
  static boolean loopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }
}
