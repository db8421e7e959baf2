package io.tillwatch.sandbox;

import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Prometheus Alertmanager (Debian's {@code prometheus-alertmanager}) on a free loopback
 * port, single instance (no cluster), with a receiver that sends nowhere: what it holds is read
 * through its API. It can be stopped and started again on the same port.
 */
public final class AlertmanagerServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

  private final Path dir;
  private final int port;
  private Process process;

  private AlertmanagerServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts one with a configuration that only groups and holds alerts. */
  public static AlertmanagerServer start() {
    return start(
        """
        route:
          receiver: hold
          group_by: [tenant, risk]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
        receivers:
          - name: hold
        """);
  }

  /** Starts one with the configuration {@code config} (its routes, receivers, inhibitions). */
  public static AlertmanagerServer start(String config) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          "no " + BINARY + ": install Debian's prometheus-alertmanager package");
    }
    try {
      Path dir = Files.createTempDirectory("tillwatch-alertmanager");
      Files.writeString(dir.resolve("alertmanager.yml"), config);
      AlertmanagerServer am = new AlertmanagerServer(dir, FreePorts.next());
      am.startProcess();
      return am;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Alertmanager", e);
    }
  }

  /** Starts the process (again) on the same port and data, and waits until it answers. */
  public void startProcess() {
    try {
      process =
          new ProcessBuilder(
                  BINARY.toString(),
                  "--config.file=" + dir.resolve("alertmanager.yml"),
                  "--storage.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--cluster.listen-address=")
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(dir.resolve("alertmanager.log").toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    Processes.awaitReady(
        url().resolve("/-/ready"),
        process,
        Duration.ofSeconds(30),
        "Alertmanager",
        () -> Processes.read(dir.resolve("alertmanager.log")));
  }

  /** Stops the process (the port stays reserved for a restart). */
  public void stopProcess() {
    if (process != null) {
      Processes.stop(process, Duration.ofSeconds(30));
      process = null;
    }
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** {@code GET /api/v2/alerts}: the alerts it holds now, as JSON text. */
  public String alerts() {
    try {
      return HttpClient.newHttpClient()
          .send(
              HttpRequest.newBuilder(url().resolve("/api/v2/alerts")).build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stopProcess();
    Processes.deleteTree(dir);
  }
}
