package io.tillwatch.cli;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.HostPort;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.model.Durations;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.sandbox.EmbeddedPostgresBinaries;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
      "with a synthetic order workload, and the agent on it. Ctrl-C stops and removes everything."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--listen",
      defaultValue = "127.0.0.1:9464",
      description = "Where /metrics is served (default: ${DEFAULT-VALUE}).")
  String listen;

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
      names = "--for",
      paramLabel = "DURATION",
      description = "Stop by itself after this long (e.g. 2m); default: run until Ctrl-C.")
  String runFor;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Duration every = Durations.parse(interval);
    Path bin =
        pgBin != null
            ? pgBin
            : machinePostgres().filter(b -> !embedded).orElseGet(() -> embedded(out));
    out.println(
        "tillwatch demo: starting a PostgreSQL primary and a streaming standby from "
            + bin
            + " ...");
    out.flush();
    ReplicatedPostgres cluster = ReplicatedPostgres.start(bin);
    String password = UUID.randomUUID().toString();
    Workload workload = null;
    Agent agent = null;
    try {
      cluster.primary().createMonitorRole("tillwatch", password);
      cluster.primary().execute("GRANT CREATE ON SCHEMA public TO tillwatch");
      workload = Workload.start(cluster);
      Tenant acme =
          new Tenant(
              "acme",
              "ACME Retail",
              Tier.DEDICATED,
              ZoneId.of("Europe/Berlin"),
              BusinessHours.parse("Mon-Sat 08:00-22:00"));
      EstateConfig estate =
          new EstateConfig(
              new AgentConfig(
                  HostPort.parse(listen),
                  every,
                  Duration.ofSeconds(Math.min(5, every.toSeconds()))),
              List.of(
                  new TenantConfig(
                      acme,
                      List.of(
                          target(
                              "acme-primary",
                              cluster.primary().jdbcUrl("postgres"),
                              password,
                              true),
                          target(
                              "acme-standby",
                              cluster.standby().jdbcUrl("postgres"),
                              password,
                              false)))));
      agent = Agent.create(estate);
      agent.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception | Error e) {
      if (workload != null) {
        workload.stop();
      }
      cluster.close();
      throw e;
    }
    printGuide(out, agent.metricsUrl(), cluster);
    Agent running = agent;
    Workload load = workload;
    Lifecycle.serve(
        () -> {
          System.out.println("tillwatch demo: stopping; removing the sandbox ...");
          AgentCommand.stop(running, Duration.ofSeconds(10));
          load.stop();
          cluster.close();
        },
        Duration.ofSeconds(40),
        Optional.ofNullable(runFor).map(Durations::parse));
    return 0;
  }

  private static PostgresTargetConfig target(
      String name, String url, String password, boolean heartbeat) {
    return new PostgresTargetConfig(
        name, url, "tillwatch", Secret.of(password), heartbeat, Optional.empty(), Optional.empty());
  }

  private static void printGuide(PrintWriter out, String url, ReplicatedPostgres cluster) {
    out.printf(
        """

        tillwatch demo is running.
          metrics:  %s
          primary:  %s   standby: %s

        What to look at:
          curl -s %s | grep -E '^tillwatch_(target_up|pg_replication_lag_bytes|pg_standby_(stream_up|replay_delay_seconds))'
          - tillwatch_target_up                          1 per healthy target
          - tillwatch_pg_replication_lag_bytes           WAL the standby has not replayed yet
          - tillwatch_pg_standby_replay_delay_seconds    true delay from the heartbeat
          - tillwatch_pg_standby_stream_up               0 if the stream is broken, even at "zero lag"
        Every 90 s the workload pauses replay on the standby for 30 s: watch lag and delay grow
        and fall back. Ctrl-C stops everything and removes the sandbox.
        """,
        url, cluster.primary().jdbcUrl("postgres"), cluster.standby().jdbcUrl("postgres"), url);
    out.flush();
  }

  /** The newest {@code /usr/lib/postgresql/N/bin} with initdb and pg_basebackup, if any. */
  static Optional<Path> machinePostgres() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions
          .map(v -> v.resolve("bin"))
          .filter(
              b ->
                  Files.isExecutable(b.resolve("initdb"))
                      && Files.isExecutable(b.resolve("pg_basebackup")))
          .max(Comparator.comparingInt(DemoCommand::majorVersion));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** PostgreSQL from Maven Central, unpacked once into the temporary directory. */
  private static Path embedded(PrintWriter out) {
    if (!EmbeddedPostgresBinaries.available()) {
      throw new IllegalStateException(
          "no PostgreSQL on this machine and no embedded one for this platform:"
              + " install PostgreSQL (apt-get install postgresql) or pass --pg-bin");
    }
    String version = EmbeddedPostgresBinaries.version();
    out.println("tillwatch demo: using PostgreSQL " + version + " from Maven Central (embedded)");
    out.flush();
    try {
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "tillwatch-postgresql-" + version);
      if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && !Files.getOwner(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              .getName()
              .equals(System.getProperty("user.name"))) {
        dir = Files.createTempDirectory("tillwatch-postgresql-"); // not ours: do not trust it
        Files.setPosixFilePermissions(
            dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      return EmbeddedPostgresBinaries.extract(dir);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot unpack the embedded PostgreSQL", e);
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
