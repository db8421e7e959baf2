package io.tillwatch.demo;

import io.tillwatch.agent.config.BackupTargetConfig;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.RedisTargetConfig;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.localpg.Processes;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.sandbox.OdooDatabase;
import io.tillwatch.sandbox.PgBackRestStanza;
import io.tillwatch.sandbox.RedisServer;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Tenant acme's sandbox servers and their workloads, each pushed on the demo's stop list. */
final class DemoEstate {
  private final Deque<AutoCloseable> started;
  private final PrintWriter out;
  private final Path dir;
  private final String password = UUID.randomUUID().toString();
  private final Tenant acme =
      new Tenant(
          "acme",
          "ACME Retail",
          Tier.DEDICATED,
          ZoneId.of("Europe/Berlin"),
          BusinessHours.parse("Mon-Sat 08:00-22:00"));
  private ReplicatedPostgres cluster;

  private DemoEstate(Deque<AutoCloseable> started, PrintWriter out, Path dir) {
    this.started = started;
    this.out = out;
    this.dir = dir;
  }

  /** A demo directory (removed at stop) for files of the collector and the agent. */
  static DemoEstate create(Deque<AutoCloseable> started, PrintWriter out) throws IOException {
    Path dir =
        Files.createTempDirectory(
            "tillwatch-demo-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    started.push(() -> Processes.deleteTree(dir));
    return new DemoEstate(started, out, dir);
  }

  Tenant acme() {
    return acme;
  }

  Path dir() {
    return dir;
  }

  ReplicatedPostgres cluster() {
    return cluster;
  }

  /** A primary, a streaming standby and the Odoo 17 shop database, with their workloads. */
  List<TargetConfig> startDatabases(Path bin) throws Exception {
    say("starting a PostgreSQL primary and a streaming standby from " + bin + " ...");
    cluster = ReplicatedPostgres.start(bin);
    started.push(cluster);
    PostgresServer primary = cluster.primary();
    primary.createMonitorRole("tillwatch", password);
    primary.execute("GRANT CREATE ON SCHEMA public TO tillwatch");
    Workload replication = Workload.start(cluster);
    started.push(replication::stop);

    say("an Odoo 17 shop database with orders and queue jobs ...");
    OdooDatabase.create(primary, "acme_odoo", 17, "tillwatch");
    ShopWorkload shop = ShopWorkload.start(primary, "acme_odoo");
    started.push(shop::stop);
    return List.of(
        postgres("acme-primary", primary.jdbcUrl("postgres"), true),
        postgres("acme-standby", cluster.standby().jdbcUrl("postgres"), false),
        new OdooTargetConfig(
                "acme-odoo",
                primary.jdbcUrl("acme_odoo"),
                "tillwatch",
                Secret.of(password),
                OdooTargetConfig.DEFAULT_STUCK_STARTED_AFTER,
                Optional.empty())
            .withStores(
                new io.tillwatch.agent.config.PosStoresConfig(
                    io.tillwatch.agent.config.PosStoresConfig.DEFAULT_MAX_STORES,
                    io.tillwatch.agent.config.PosStoresConfig.StoreBy.WAREHOUSE,
                    Map.of(),
                    io.tillwatch.agent.config.StoreHours.ALWAYS)));
  }

  /**
   * The shop's ingress: a server with Traefik's exact {@code /metrics} exposition for acme's Odoo
   * service (Traefik itself is not installable here), its requests and 502 waves growing with time.
   */
  List<TargetConfig> startIngress() {
    say("a Traefik-shaped /metrics for the shop's ingress (odoo-acme@kubernetes) ...");
    io.tillwatch.sandbox.TraefikExposition traefik =
        io.tillwatch.sandbox.TraefikExposition.start("odoo-acme@kubernetes");
    started.push(traefik);
    return List.of(
        new io.tillwatch.agent.config.TraefikTargetConfig(
            "acme-ingress",
            traefik.url(),
            List.of(io.tillwatch.agent.config.TraefikTargetConfig.service("odoo-acme@.*")),
            List.of(),
            Optional.empty(),
            Optional.empty()));
  }

  /**
   * Redis for Odoo's sessions, filling up, when the machine has a {@code redis-server} that starts;
   * otherwise one line says why it is skipped.
   */
  List<TargetConfig> startRedis() {
    Optional<Path> redisServer = onPath("redis-server");
    if (redisServer.isEmpty()) {
      skip("Redis", "no redis-server on the PATH", "install the redis-server package");
      return List.of();
    }
    say("Redis for Odoo's sessions (maxmemory 4mb) ...");
    RedisServer redis;
    try {
      redis =
          RedisServer.start(
              redisServer.get(), List.of("maxmemory 4mb", "maxmemory-policy allkeys-lru"));
    } catch (RuntimeException e) {
      skip("Redis", "redis-server did not start: " + firstLine(e), "check " + redisServer.get());
      return List.of();
    }
    started.push(redis);
    SessionWorkload sessions = SessionWorkload.start(redis);
    started.push(sessions::stop);
    return List.of(
        new RedisTargetConfig(
            "acme-sessions",
            URI.create(redis.url()),
            Optional.empty(),
            Secret.empty(),
            Optional.empty()));
  }

  /**
   * A pgBackRest stanza with scheduled backups, when the machine has a {@code pgbackrest} that
   * supports the primary's PostgreSQL version (its own {@code stanza-create} is the check);
   * otherwise one line says why backups are skipped and what to install.
   */
  List<TargetConfig> startBackups() {
    if (onPath("pgbackrest").isEmpty()) {
      skip("backups", "no pgbackrest on the PATH", "install the pgbackrest package");
      return List.of();
    }
    say("a pgBackRest stanza on the primary (full now, incremental every 5 minutes) ...");
    PgBackRestStanza stanza;
    try {
      stanza = PgBackRestStanza.create(cluster.primary(), "acme");
    } catch (RuntimeException e) {
      String pg = cluster.primary().queryString("SHOW server_version");
      String tool = pgBackRestVersion();
      if (String.valueOf(e.getMessage()).contains("VersionNotSupportedError")) {
        skip(
            "backups",
            tool + " does not support PostgreSQL " + pg,
            "install a pgBackRest release that does (apt.postgresql.org), or run the demo on"
                + " PostgreSQL binaries it supports (--pg-bin)");
      } else {
        skip(
            "backups",
            tool + " could not create a stanza on PostgreSQL " + pg + ": " + firstLine(e),
            "check the pgbackrest installation");
      }
      return List.of();
    }
    started.push(stanza);
    BackupSchedule backups = BackupSchedule.start(stanza);
    started.push(backups::stop);
    return List.of(
        new BackupTargetConfig(
            "acme-backups",
            BackupTargetConfig.Tool.PGBACKREST,
            List.of(
                "pgbackrest",
                "--config=" + stanza.config(),
                "--stanza=acme",
                "--output=json",
                "info"),
            Optional.empty(),
            Optional.of("acme"),
            Optional.empty()));
  }

  private static String pgBackRestVersion() {
    try {
      return Processes.run(
              List.of("pgbackrest", "version"), java.util.Map.of(), Duration.ofSeconds(10))
          .strip();
    } catch (RuntimeException e) {
      return "pgBackRest";
    }
  }

  /** The first line of a failure's message: the reason without the command's whole output. */
  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.lines()
        .filter(l -> !l.isBlank())
        .map(String::strip)
        .filter(l -> l.contains("Error") || l.contains("error"))
        .findFirst()
        .orElse(m.lines().findFirst().orElse(m));
  }

  /** One line saying that an optional part is skipped, why, and what would bring it. */
  void skip(String part, String why, String fix) {
    say(part + " skipped: " + why + " (" + fix + ")");
  }

  private PostgresTargetConfig postgres(String name, String url, boolean heartbeat) {
    return new PostgresTargetConfig(
        name, url, "tillwatch", Secret.of(password), heartbeat, Optional.empty(), Optional.empty());
  }

  private void say(String what) {
    out.println("tillwatch demo: " + what);
    out.flush();
  }

  /** An executable of this name on the PATH. */
  static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String d : path.split(File.pathSeparator)) {
      Path candidate = Path.of(d, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
