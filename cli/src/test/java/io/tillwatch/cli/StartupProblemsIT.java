package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.collector.store.PgStore;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Secret;
import io.tillwatch.testkit.PostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Environment problems at start, against a real PostgreSQL and real ports: each is one line naming
 * the setting to fix, exit 2, and no stack trace unless {@code --log.level=debug} asks for one.
 */
@Timeout(120)
class StartupProblemsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final String TOKEN = "startup-token-0123456789";
  private static final String LIMITED_PASSWORD = "limited-pw-4711";
  private Path dir;

  @BeforeAll
  static void databases() {
    PostgresServer s = PG.server();
    s.execute(
        "CREATE DATABASE startup",
        "CREATE DATABASE existing",
        "CREATE DATABASE fresh",
        // may connect, may not create tables (PostgreSQL 15: no CREATE on schema public)
        "CREATE ROLE limited LOGIN PASSWORD '" + LIMITED_PASSWORD + "'");
  }

  @BeforeEach
  void dir() throws IOException {
    dir = Files.createTempDirectory("tillwatch-startup-");
  }

  @AfterEach
  void cleanUp() {
    io.tillwatch.localpg.Processes.deleteTree(dir);
  }

  /** Runs the distribution's jar to its end; its exit code and everything it printed. */
  private record Run(int exit, String output) {}

  private Run run(String... args) throws Exception {
    Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
    Process p =
        Distribution.start(
            out,
            java.util.Map.of("AGENT_TOKEN", TOKEN, "PG_PASSWORD", PG.server().superuserPassword()),
            args);
    if (!p.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("still running after 60 s:\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out));
  }

  private Path collectorFile(int port, String storage) throws IOException {
    Path f = dir.resolve("collector.yaml");
    Files.writeString(
        f,
        """
        collector:
          listen: 127.0.0.1:%d
          storage:
        %s
          tokens:
            - token: ${AGENT_TOKEN}
              tenants: ["*"]
        """
            .formatted(port, storage.indent(4).stripTrailing()));
    return f;
  }

  private Run collector(String storage, String... more) throws Exception {
    Path f = collectorFile(FreePorts.next(), storage);
    List<String> args = new ArrayList<>(List.of("collector", "--config", f.toString()));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  private static String storage(String database, String user, String password) {
    return "url: %s\nuser: %s\npassword: %s\n"
        .formatted(PG.server().jdbcUrl(database), user, password);
  }

  private Run timescaleLayoutOn(String database) throws Exception {
    return collector(
        storage(database, PostgresServer.SUPERUSER, "${PG_PASSWORD}") + "layout: timescaledb\n");
  }

  /** Exit 2, one line starting "tillwatch: cannot start:", and nothing like a stack trace. */
  private static String refused(Run r) {
    assertThat(r.exit()).as(r.output()).isEqualTo(2);
    List<String> lines =
        r.output().lines().filter(l -> l.startsWith("tillwatch: cannot start:")).toList();
    assertThat(lines).as(r.output()).hasSize(1);
    assertThat(r.output()).doesNotContain("\tat ").doesNotContain("Exception");
    return lines.get(0);
  }

  @Test
  void anExplicitTimescaleLayoutOnAServerWithoutTheExtensionIsRefused() throws Exception {
    String line = refused(timescaleLayoutOn("fresh"));
    assertThat(line)
        .contains("storage.layout is timescaledb")
        .contains("does not offer the timescaledb extension")
        .contains("(setting: storage.layout)");
  }

  @Test
  void aDatabaseKeepsItsLayoutAndAChangeIsRefused() throws Exception {
    PgStore.open(
            PG.server().jdbcUrl("existing"),
            PostgresServer.SUPERUSER,
            Secret.of(PG.server().superuserPassword()),
            Duration.ofDays(7))
        .close();
    String line = refused(timescaleLayoutOn("existing"));
    assertThat(line)
        .contains("created with the plain layout")
        .contains("set storage.layout to plain or auto");
  }

  @Test
  void unreachableStorageNamesTheUrlSetting() throws Exception {
    int nothingThere = FreePorts.next();
    String line =
        refused(
            collector(
                "url: jdbc:postgresql://127.0.0.1:%d/tillwatch?password=in-the-url\n"
                        .formatted(nothingThere)
                    + "password: ${PG_PASSWORD}\n"));
    assertThat(line)
        .contains("cannot reach storage at 127.0.0.1:" + nothingThere + "/tillwatch")
        .contains("(setting: storage.url)")
        .doesNotContain("in-the-url");
  }

  @Test
  void aWrongPasswordNamesTheUserAndPasswordSettingsAndNeverPrintsIt() throws Exception {
    Run r = collector(storage("startup", PostgresServer.SUPERUSER, "not-the-password-123"));
    String line = refused(r);
    assertThat(line)
        .contains("refused user 'postgres'")
        .contains("password authentication failed")
        .contains("(setting: storage.user, storage.password)");
    assertThat(r.output()).doesNotContain("not-the-password-123");
  }

  @Test
  void aMissingDatabaseSaysHowToCreateIt() throws Exception {
    String line =
        refused(collector(storage("nosuchdb", PostgresServer.SUPERUSER, "${PG_PASSWORD}")));
    assertThat(line)
        .contains("database \"nosuchdb\" does not exist")
        .contains("createdb")
        .contains("(setting: storage.url)");
  }

  @Test
  void aUserWithoutCreatePermissionSaysWhatToGrant() throws Exception {
    String line = refused(collector(storage("startup", "limited", LIMITED_PASSWORD)));
    assertThat(line)
        .contains("user 'limited' may not create the collector's tables")
        .contains("permission denied")
        .contains("GRANT CREATE ON SCHEMA public TO limited")
        .contains("(setting: storage.user)");
  }

  @Test
  void aCollectorPortInUseNamesTheListenSetting() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path f =
          collectorFile(
              taken.getLocalPort(), storage("startup", PostgresServer.SUPERUSER, "${PG_PASSWORD}"));
      String line = refused(run("collector", "--config", f.toString()));
      assertThat(line)
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("already in use")
          .contains("(setting: listen)");
    }
  }

  @Test
  void anAgentPortInUseNamesTheAgentListenSetting() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path f = dir.resolve("estate.yaml");
      Files.writeString(
          f,
          """
          agent:
            listen: 127.0.0.1:%d
          tenants: []
          """
              .formatted(taken.getLocalPort()));
      String line = refused(run("agent", "--config", f.toString()));
      assertThat(line)
          .contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
          .contains("already in use")
          .contains("(setting: agent.listen in " + f + ")");
    }
  }

  @Test
  void anAgentPushBufferThatCannotBeCreatedNamesItsSetting() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
    Path f = dir.resolve("estate.yaml");
    Files.writeString(
        f,
        """
        agent:
          listen: 127.0.0.1:%d
          push:
            url: http://127.0.0.1:%d/v1/metrics
            token: ${AGENT_TOKEN}
            buffer_dir: %s
        tenants: []
        """
            .formatted(FreePorts.next(), FreePorts.next(), notADirectory.resolve("buffer")));
    String line = refused(run("agent", "--config", f.toString()));
    assertThat(line)
        .contains("cannot open the push buffer in " + notADirectory.resolve("buffer"))
        .contains("(setting: agent.push.buffer_dir)");
  }

  @Test
  void debugLoggingAddsTheStackTrace() throws Exception {
    Run r =
        collector(
            storage("nosuchdb", PostgresServer.SUPERUSER, "${PG_PASSWORD}"), "--log.level=debug");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.output())
        .contains("tillwatch: cannot start: storage at")
        .contains("\tat ")
        .contains("PSQLException");
  }
}
