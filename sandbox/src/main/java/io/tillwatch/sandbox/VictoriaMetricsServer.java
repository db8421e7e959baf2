package io.tillwatch.sandbox;

import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.Processes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real VictoriaMetrics single node (Debian's {@code victoria-metrics}) on a free loopback port,
 * its data in a temporary directory that {@link #close()} removes. It takes Prometheus remote write
 * on {@code /api/v1/write} and answers the Prometheus query API; instant queries see the latest
 * samples ({@code -search.latencyOffset=0s}).
 */
public final class VictoriaMetricsServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/victoria-metrics");

  private final Path dir;
  private final int port;
  private final Process process;

  private VictoriaMetricsServer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Starts VictoriaMetrics and waits until it answers. */
  public static VictoriaMetricsServer start() {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(
          "no " + BINARY + ": install Debian's victoria-metrics package");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("tillwatch-victoria-metrics");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare VictoriaMetrics", e);
    }
    int port = FreePorts.next();
    Process p;
    try {
      p =
          new ProcessBuilder(
                  List.of(
                      BINARY.toString(),
                      "-storageDataPath=" + dir.resolve("data"),
                      "-httpListenAddr=127.0.0.1:" + port,
                      "-search.latencyOffset=0s",
                      "-retentionPeriod=100y"))
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("victoria-metrics.log").toFile())
              .start();
    } catch (IOException e) {
      Processes.deleteTree(dir);
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    VictoriaMetricsServer server = new VictoriaMetricsServer(dir, port, p);
    try {
      Processes.awaitReady(
          server.url().resolve("/health"),
          p,
          Duration.ofSeconds(60),
          "VictoriaMetrics",
          server::log);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** What it has logged so far. */
  public String log() {
    return Processes.read(dir.resolve("victoria-metrics.log"));
  }

  @Override
  public void close() {
    Processes.stop(process, Duration.ofSeconds(30));
    Processes.deleteTree(dir);
  }
}
