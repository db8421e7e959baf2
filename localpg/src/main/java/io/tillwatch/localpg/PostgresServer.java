package io.tillwatch.localpg;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One PostgreSQL server started from the machine's binaries ({@code pg_ctl}), listening on
 * 127.0.0.1 only, with TCP password authentication.
 */
public final class PostgresServer implements AutoCloseable {
  /** The superuser that initdb creates. */
  public static final String SUPERUSER = "postgres";

  private final Path bin;
  private final Path dataDir;
  private final int port;
  private final String password;
  private volatile boolean running;

  /** A server on an initialised data directory; settings live in its postgresql.conf. */
  public PostgresServer(Path bin, Path dataDir, int port, String password) {
    this.bin = bin;
    this.dataDir = dataDir;
    this.port = port;
    this.password = password;
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The data directory. */
  public Path dataDir() {
    return dataDir;
  }

  /** The directory of the server's Unix socket (private to the sandbox). */
  public Path socketDirectory() {
    return dataDir.getParent();
  }

  /** The superuser's password. */
  public String superuserPassword() {
    return password;
  }

  /** A JDBC URL of database {@code database} on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** A new superuser connection to the {@code postgres} database. */
  public Connection connect() throws SQLException {
    return connect("postgres");
  }

  /** A new superuser connection to {@code database}. */
  public Connection connect(String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", SUPERUSER);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "10");
    return DriverManager.getConnection(jdbcUrl(database), p);
  }

  /** Runs statements as superuser, each in its own transaction. */
  public void execute(String... statements) {
    executeIn("postgres", statements);
  }

  /** Runs statements as superuser in {@code database}, each in its own transaction. */
  public void executeIn(String database, String... statements) {
    try (Connection c = connect(database);
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("on port " + port + ": " + e.getMessage(), e);
    }
  }

  /** The first column of the first row of {@code sql}, as text (null when no row). */
  public String queryString(String sql) {
    return queryString("postgres", sql);
  }

  /** The first column of the first row of {@code sql} in {@code database} (null when no row). */
  public String queryString(String database, String sql) {
    try (Connection c = connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException("on port " + port + ": " + e.getMessage(), e);
    }
  }

  /** Creates a login role with only {@code pg_monitor}, as a real deployment would. */
  public void createMonitorRole(String role, String rolePassword) {
    execute(
        "CREATE ROLE " + role + " LOGIN PASSWORD '" + rolePassword.replace("'", "''") + "'",
        "GRANT pg_monitor TO " + role);
  }

  /** Starts the server and waits until it accepts connections. */
  public void start() {
    // only what differs between primary and standby is given here: command-line settings
    // outrank ALTER SYSTEM, and tests change settings the way an operator does
    List<String> options = new ArrayList<>();
    options.add("-c port=" + port);
    options.add("-c listen_addresses=127.0.0.1");
    // a socket in the sandbox's own directory, for tools that only speak it (pgBackRest)
    options.add("-c unix_socket_directories='" + socketDirectory() + "'");
    Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    Processes.run(
        Processes.asUser(
            Processes.POSTGRES_USER,
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dataDir.toString(),
                "-l",
                log.toString(),
                "-w",
                "-t",
                "60",
                "-o",
                String.join(" ", options),
                "start")),
        Map.of(),
        Duration.ofSeconds(90));
    running = true;
  }

  /** Stops the server at once (no checkpoint): it is a throw-away sandbox. */
  public void stop() {
    if (!running || !Files.exists(dataDir.resolve("postmaster.pid"))) {
      running = false;
      return;
    }
    Processes.run(
        Processes.asUser(
            Processes.POSTGRES_USER,
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                dataDir.toString(),
                "-m",
                "immediate",
                "-w",
                "stop")),
        Map.of(),
        Duration.ofSeconds(60));
    running = false;
  }

  /** The server's log so far (for failure messages). */
  public String log() {
    return Processes.read(dataDir.resolveSibling(dataDir.getFileName() + ".log"));
  }

  @Override
  public void close() {
    stop();
  }
}
