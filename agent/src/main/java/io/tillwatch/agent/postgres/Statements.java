package io.tillwatch.agent.postgres;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Statement figures of the target's database from {@code pg_stat_statements}, when the extension is
 * installed there and loaded: calls and execution time as counters (their rates give the mean
 * statement time), and the statements that took the most time, at most {@value #TOP}, their text
 * normalised (pg_stat_statements' own {@code $1} placeholders; any literal left, e.g. in utility
 * statements, replaced by {@code ?}) and shortened.
 */
final class Statements {
  /**
   * The shortened texts of the statements shown, by queryid: a text is read once, when its
   * statement first enters the top list (reading texts makes PostgreSQL read its whole query-text
   * file; the figures are read without them).
   */
  private final java.util.Map<Long, String> texts = new java.util.HashMap<>();

  /** Statements shown in the top list at most. */
  static final int TOP = 10;

  /** Characters of a statement's text shown at most. */
  static final int MAX_TEXT = 200;

  static final Metric AVAILABLE =
      Metric.gauge(
          "tillwatch_pg_statements_available",
          "1 when pg_stat_statements is installed in the target's database and loaded"
              + " (shared_preload_libraries), 0 when not: no statement figures then.");
  static final Metric CALLS =
      Metric.counter(
          "tillwatch_pg_statements_calls_total",
          "Statements executed in the target's database (pg_stat_statements, every statement).");
  static final Metric EXEC_SECONDS =
      Metric.counter(
          "tillwatch_pg_statements_exec_seconds_total",
          "Seconds spent executing them. rate of this / rate of calls is the mean statement time:"
              + " alert when it rises well above its own baseline.");
  static final Metric TOP_INFO =
      Metric.info(
          "tillwatch_pg_statement_top_info",
          "The statements that took the most time (rank 1 the most), at most 10: queryid and the"
              + " normalised text, shortened, never parameters.");
  static final Metric TOP_SECONDS =
      Metric.gauge(
          "tillwatch_pg_statement_top_exec_seconds",
          "Seconds a top statement has spent executing since pg_stat_statements was reset.");
  static final Metric TOP_MEAN =
      Metric.gauge(
          "tillwatch_pg_statement_top_mean_seconds", "A top statement's mean execution time.");

  private static final String THIS_DATABASE =
      "dbid = (SELECT oid FROM pg_database WHERE datname = current_database())";

  /**
   * Adds the samples; nothing but {@link #AVAILABLE} 0 when the extension cannot be read (not
   * installed, not loaded, or a role that may not read it): the target's other figures go on.
   */
  void add(Connection c, List<Sample> out) {
    List<Sample> mine = new ArrayList<>();
    try {
      read(c, mine);
    } catch (SQLException e) {
      mine.clear();
      mine.add(AVAILABLE.sample(Labels.empty(), 0));
    }
    out.addAll(mine);
  }

  private void read(Connection c, List<Sample> out) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT to_regclass('pg_stat_statements') IS NOT NULL"
                    + " AND current_setting('shared_preload_libraries') ~ 'pg_stat_statements'")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        out.add(AVAILABLE.sample(Labels.empty(), 0));
        return;
      }
    }
    out.add(AVAILABLE.sample(Labels.empty(), 1));
    // the figures without the texts: pg_stat_statements(false) leaves the query-text file alone
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0) / 1000"
                    + " FROM pg_stat_statements(false) WHERE "
                    + THIS_DATABASE)) {
      rs.next();
      out.add(CALLS.sample(Labels.empty(), rs.getDouble(1)));
      out.add(EXEC_SECONDS.sample(Labels.empty(), rs.getDouble(2)));
    }
    record Top(long queryid, double seconds, double mean) {}
    List<Top> top = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT queryid, total_exec_time / 1000, mean_exec_time / 1000"
                    + " FROM pg_stat_statements(false) WHERE "
                    + THIS_DATABASE
                    + " AND queryid IS NOT NULL ORDER BY total_exec_time DESC LIMIT "
                    + TOP)) {
      while (rs.next()) {
        top.add(new Top(rs.getLong(1), rs.getDouble(2), rs.getDouble(3)));
      }
    }
    List<Long> unknown =
        top.stream().map(Top::queryid).filter(id -> !texts.containsKey(id)).toList();
    if (!unknown.isEmpty()) {
      try (java.sql.PreparedStatement ps =
          c.prepareStatement(
              "SELECT queryid, left(query, 4000) FROM pg_stat_statements WHERE "
                  + THIS_DATABASE
                  + " AND queryid = ANY (?)")) {
        ps.setArray(1, c.createArrayOf("bigint", unknown.toArray()));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            texts.put(rs.getLong(1), shorten(rs.getString(2)));
          }
        }
      }
    }
    // the texts of statements that left the top list go
    java.util.Set<Long> shown = new java.util.HashSet<>();
    int rank = 0;
    for (Top t : top) {
      rank++;
      shown.add(t.queryid());
      Labels l =
          Labels.of(
              "rank", String.valueOf(rank), "queryid", Long.toUnsignedString(t.queryid(), 16));
      out.add(TOP_INFO.sample(l.with("query", texts.getOrDefault(t.queryid(), "")), 1));
      out.add(TOP_SECONDS.sample(l, t.seconds()));
      out.add(TOP_MEAN.sample(l, t.mean()));
    }
    texts.keySet().retainAll(shown);
  }

  private static final Pattern STRING = Pattern.compile("'(?:[^']|'')*'");
  private static final Pattern DOLLAR_QUOTED = Pattern.compile("\\$([A-Za-z_]*)\\$.*?\\$\\1\\$");
  private static final Pattern NUMBER = Pattern.compile("(?<![\\w$])-?\\d+(?:\\.\\d+)?(?![\\w])");

  /** A statement's text as shown: literals replaced by {@code ?}, white space folded, shortened. */
  static String shorten(String query) {
    if (query == null) {
      return "";
    }
    String s = DOLLAR_QUOTED.matcher(query).replaceAll("?");
    s = STRING.matcher(s).replaceAll("?");
    s = NUMBER.matcher(s).replaceAll("?");
    s = s.replaceAll("\\s+", " ").strip();
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT - 1) + "…";
  }
}
