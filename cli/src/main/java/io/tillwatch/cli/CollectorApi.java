package io.tillwatch.cli;

import io.tillwatch.config.StartupException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** The collector's HTTP API as the command line calls it: a bearer token, clear failures. */
final class CollectorApi {
  private CollectorApi() {}

  /** {@code --token}: the bearer token, by default from {@code $TILLWATCH_TOKEN}. */
  static final class Token {
    @picocli.CommandLine.Option(
        names = "--token",
        paramLabel = "SECRET",
        defaultValue = "${env:TILLWATCH_TOKEN}",
        description = "Bearer token: ${ENV}, file:/path or the value (default: $TILLWATCH_TOKEN).")
    String token;

    /** The token ({@code ${ENV}}, {@code file:/path} or the value resolved). */
    String secret() {
      String secret = token == null ? "" : Configs.interpolation().secret(token).strip();
      if (secret.isEmpty()) {
        throw new StartupException("--token", "no token: set TILLWATCH_TOKEN or give --token");
      }
      return secret;
    }
  }

  /**
   * Sends {@code request} (its URI relative to {@code collector}) with the token; a collector that
   * cannot be reached is a startup error naming it.
   */
  static HttpResponse<String> send(
      URI collector, String token, Path caFile, String path, HttpRequest.Builder request)
      throws InterruptedException {
    if (collector.getScheme() == null
        || !(collector.getScheme().equals("http") || collector.getScheme().equals("https"))) {
      throw new StartupException(
          "--collector", "an http:// or https:// URL, got '" + collector + "'");
    }
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (caFile != null) {
      client.sslContext(io.tillwatch.agent.push.Pusher.trusting(caFile, "--ca-file"));
    }
    try (HttpClient http = client.build()) {
      return http.send(
          request
              .uri(collector.resolve(path))
              .header("Authorization", "Bearer " + token)
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new StartupException(
          "--collector", "cannot reach the collector at " + collector + ": " + e.getMessage());
    }
  }
}
