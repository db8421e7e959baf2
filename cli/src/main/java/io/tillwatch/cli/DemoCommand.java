package io.tillwatch.cli;

import io.tillwatch.demo.Demo;
import io.tillwatch.demo.DemoOptions;
import io.tillwatch.model.Durations;
import io.tillwatch.model.HostPort;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tillwatch demo}: a local sandbox estate (a PostgreSQL primary and a streaming standby in a
 * temporary directory) with a small order workload, and the agent watching it.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Start a sandbox estate (PostgreSQL primary + streaming standby from this machine's binaries)",
      "with a synthetic order workload, the agent on it, the collector with the built-in rule pack",
      "and a local Alertmanager when the machine has one. Ctrl-C stops and removes everything."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1:9464",
      description = "Where /metrics is served (default: ${DEFAULT-VALUE}).")
  String listen;

  @Option(
      names = "--collector-listen-port",
      defaultValue = "4318",
      description = "Port of the collector's OTLP/HTTP ingest (default: ${DEFAULT-VALUE}).")
  int collectorPort;

  @Option(
      names = "--interval",
      defaultValue = "5s",
      description = "Scrape interval (default: ${DEFAULT-VALUE}).")
  String interval;

  @Option(
      names = "--pg-bin",
      paramLabel = "DIR",
      description = "PostgreSQL server binaries (default: the newest under /usr/lib/postgresql).")
  Path pgBin;

  @Option(
      names = "--embedded",
      description =
          "Use PostgreSQL from Maven Central even when this machine has its own"
              + " (automatic when it has none).")
  boolean embedded;

  @Option(
      names = "--report-after",
      paramLabel = "DURATION",
      defaultValue = "3m",
      description =
          "Render this week's SLO report so far (HTML, PDF, PNG, CSV) after this long"
              + " (default: ${DEFAULT-VALUE}).")
  String reportAfter;

  @Option(
      names = "--for",
      paramLabel = "DURATION",
      description = "Stop by itself after this long (e.g. 2m); default: run until Ctrl-C.")
  String runFor;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DemoOptions options =
        new DemoOptions(
            HostPort.parse(listen),
            collectorPort,
            Durations.parse(interval),
            Optional.ofNullable(pgBin),
            embedded,
            Durations.parse(reportAfter));
    Demo demo = Demo.start(options, out);
    Lifecycle.serve(
        () -> {
          System.out.println("tillwatch demo: stopping; removing the sandbox ...");
          demo.close();
        },
        Duration.ofSeconds(40),
        Optional.ofNullable(runFor).map(Durations::parse));
    return 0;
  }
}
