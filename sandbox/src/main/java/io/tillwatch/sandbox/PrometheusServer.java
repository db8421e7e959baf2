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
import java.util.Map;

/**
 * A real Prometheus server (Debian's {@code prometheus}) on a free loopback port, with its own
 * configuration, rule files and TSDB in a temporary directory that {@link #close()} removes.
 */
public final class PrometheusServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus");

  private final Path dir;
  private final int port;
  private final Process process;

  private PrometheusServer(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /**
   * Starts Prometheus and waits until it is ready.
   *
   * @param config {@code prometheus.yml}; rule files it names are found next to it
   * @param files more files for its directory (rule files), by name
   */
  public static PrometheusServer start(String config, Map<String, String> files) {
    return start(config, files, dir -> {}, List.of());
  }

  /**
   * As above, with {@code prepare} run on the new directory first (e.g. blocks written into its
   * {@code tsdb} with {@code promtool tsdb create-blocks-from}) and more command-line flags.
   */
  public static PrometheusServer start(
      String config,
      Map<String, String> files,
      java.util.function.Consumer<Path> prepare,
      List<String> flags) {
    return start(FreePorts.next(), config, files, prepare, flags);
  }

  /** As above, listening on {@code port} (a server coming back where a client expects it). */
  public static PrometheusServer start(
      int port,
      String config,
      Map<String, String> files,
      java.util.function.Consumer<Path> prepare,
      List<String> flags) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException("no " + BINARY + ": install Debian's prometheus package");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("tillwatch-prometheus");
      Files.writeString(dir.resolve("prometheus.yml"), config);
      for (Map.Entry<String, String> f : files.entrySet()) {
        Files.writeString(dir.resolve(f.getKey()), f.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare Prometheus", e);
    }
    prepare.accept(dir);
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                BINARY.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port));
    command.addAll(flags);
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
    } catch (IOException e) {
      Processes.deleteTree(dir);
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    PrometheusServer server = new PrometheusServer(dir, port, p);
    try {
      Processes.awaitReady(
          server.url().resolve("/-/ready"), p, Duration.ofSeconds(60), "Prometheus", server::log);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  /**
   * Writes Prometheus blocks (up to a day each) into {@code tsdb} from an OpenMetrics text file,
   * with {@code promtool tsdb create-blocks-from openmetrics}: samples of any age, for a server
   * started on that directory.
   */
  public static void createBlocks(Path openMetrics, Path tsdb) {
    try {
      Files.createDirectories(tsdb);
      Processes.run(
          List.of(
              "promtool",
              "tsdb",
              "create-blocks-from",
              "openmetrics",
              "--max-block-duration=24h",
              openMetrics.toString(),
              tsdb.toString()),
          Map.of(),
          Duration.ofHours(1));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + tsdb, e);
    }
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The server's process id (for its CPU time and memory). */
  public long pid() {
    return process.pid();
  }

  /** What it has logged so far. */
  public String log() {
    return Processes.read(dir.resolve("prometheus.log"));
  }

  @Override
  public void close() {
    Processes.stop(process, Duration.ofSeconds(30));
    Processes.deleteTree(dir);
  }
}
