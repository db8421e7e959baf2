package io.tillwatch.collector.store;

import io.tillwatch.config.StartupException;
import java.sql.SQLException;
import java.util.Properties;
import org.postgresql.Driver;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Storage failures at start, said as what to fix: unreachable, authentication, a missing database,
 * a missing permission. The URL is shown as host, port and database only (it may carry a password
 * as a parameter).
 */
final class StorageErrors {
  private StorageErrors() {}

  /** The startup problem {@code e} stands for, with the setting to fix. */
  static StartupException atStart(SQLException e, String url, String user) {
    String where = where(url);
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String reason = reason(e);
    if (state.startsWith("08")) {
      return new StartupException(
          "storage.url",
          "cannot reach storage at " + where + ": " + reason + " (is PostgreSQL running there?)",
          e);
    }
    return switch (state) {
      case "28P01", "28000" ->
          new StartupException(
              "storage.user, storage.password",
              "storage at " + where + " refused user '" + user + "': " + reason,
              e);
      case "3D000" ->
          new StartupException(
              "storage.url",
              "storage at "
                  + where
                  + ": "
                  + reason
                  + " (create it, e.g. createdb -O "
                  + user
                  + " <name>, or fix the database in storage.url)",
              e);
      case "42501" ->
          new StartupException(
              "storage.user",
              "user '"
                  + user
                  + "' may not create the collector's tables at "
                  + where
                  + ": "
                  + reason
                  + " (make it the database's owner, or GRANT CREATE ON SCHEMA public TO "
                  + user
                  + ")",
              e);
      default ->
          new StartupException(
              "storage.url",
              "storage at " + where + " failed at start: " + reason + " (SQLSTATE " + state + ")",
              e);
    };
  }

  /** {@code host:port/database} of a PostgreSQL JDBC URL, without parameters. */
  static String where(String url) {
    Properties p = Driver.parseURL(url, null);
    if (p == null) {
      return "(unparseable storage.url)";
    }
    return p.getProperty("PGHOST", "localhost")
        + ":"
        + p.getProperty("PGPORT", "5432")
        + "/"
        + p.getProperty("PGDBNAME", "");
  }

  private static String reason(SQLException e) {
    if (e instanceof PSQLException p) {
      ServerErrorMessage m = p.getServerErrorMessage();
      if (m != null && m.getMessage() != null) {
        return m.getMessage();
      }
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
