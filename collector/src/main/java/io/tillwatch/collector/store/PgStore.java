package io.tillwatch.collector.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.config.StartupException;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Series;
import io.tillwatch.rules.AlertState;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.PGConnection;

/**
 * Samples in PostgreSQL: series identities in {@code series} (cached in memory), values in {@code
 * samples}, written with binary {@code COPY}. Not thread-safe for writing: one writer thread owns
 * it; reads open their own connections.
 */
public final class PgStore implements AutoCloseable {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(PgStore.class.getName());

  /** The statement that writes samples: binary COPY into the samples table. */
  public static final String COPY =
      "COPY samples (time, series_id, value) FROM STDIN (FORMAT binary)";

  private final String url;
  private final Properties props;
  private final Duration retention;
  private final Map<Series, Long> ids = new ConcurrentHashMap<>();
  private SampleLayout layout;
  private Connection writer;
  private HikariDataSource reads;
  private volatile SampleCache cache;

  private PgStore(String url, String user, Secret password, Duration retention) {
    this.url = url;
    this.props = new Properties();
    props.setProperty("user", user);
    if (!password.isEmpty()) {
      props.setProperty("password", password.reveal());
    }
    props.setProperty("ApplicationName", "tillwatch collector");
    props.setProperty("connectTimeout", "10");
    props.setProperty("tcpKeepAlive", "true");
    this.retention = retention;
  }

  /** Connects, brings the schema up to date and prepares today's partitions. */
  public static PgStore open(String url, String user, Secret password, Duration retention)
      throws SQLException {
    return open(url, user, password, retention, DEFAULT_READ_TIMEOUT);
  }

  /** A read's default bound: a query's default timeout. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMinutes(2);

  /** The most connections storage reads (queries, rules, alert state) hold at once. */
  public static final int READ_POOL_SIZE = 10;

  /**
   * As above; reads (queries, rules, alert state) go through a pool of {@value #READ_POOL_SIZE}
   * connections whose statements end after {@code readTimeout} ({@code statement_timeout}) and
   * whose sockets give up a little later.
   */
  public static PgStore open(
      String url, String user, Secret password, Duration retention, Duration readTimeout)
      throws SQLException {
    return open(url, user, password, retention, readTimeout, StorageConfig.Layout.AUTO);
  }

  /**
   * As above, with the {@code storage.layout} setting for a new database.
   *
   * @throws StartupException when storage cannot be reached, refuses the user, lacks the database
   *     or a permission, or cannot honour the layout setting: one line naming the setting
   */
  public static PgStore open(
      String url,
      String user,
      Secret password,
      Duration retention,
      Duration readTimeout,
      StorageConfig.Layout configured) {
    PgStore store = new PgStore(url, user, password, retention);
    try (Connection c = store.connect()) {
      LayoutChoice choice = LayoutChoice.decide(serverFacts(c), configured);
      choice.warning().ifPresent(w -> LOG.warning(w));
      store.layout = choice.sampleLayout();
      Migrations.migrate(c, store.layout, retention);
      store.layout.maintain(c, Instant.now(), retention);
    } catch (SQLException e) {
      throw StorageErrors.atStart(e, url, user);
    }
    store.reads = store.readPool(readTimeout);
    return store;
  }

  private static LayoutChoice.ServerFacts serverFacts(Connection c) throws SQLException {
    // preloaded: the library registered its settings in this session; shared_preload_libraries
    // itself is readable only by superusers and pg_read_all_settings (hidden rows otherwise)
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'),"
                    + " EXISTS (SELECT 1 FROM pg_settings WHERE name LIKE 'timescaledb.%'"
                    + "   OR (name = 'shared_preload_libraries'"
                    + "       AND 'timescaledb' = ANY (string_to_array("
                    + "         replace(replace(setting, ' ', ''), '\"', ''), ',')))),"
                    + " EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb')")) {
      rs.next();
      return new LayoutChoice.ServerFacts(
          rs.getBoolean(1),
          rs.getBoolean(2),
          rs.getBoolean(3),
          java.util.Optional.ofNullable(Migrations.layoutOf(c)));
    }
  }

  private HikariDataSource readPool(Duration timeout) {
    HikariConfig c = new HikariConfig();
    c.setPoolName("tillwatch-storage-reads");
    c.setJdbcUrl(url);
    Properties p = new Properties();
    p.putAll(props);
    long ms = Math.max(1000, timeout.toMillis());
    p.setProperty("options", "-c statement_timeout=" + ms);
    p.setProperty("socketTimeout", Long.toString(ms / 1000 + 30));
    c.setDataSourceProperties(p);
    c.setMaximumPoolSize(READ_POOL_SIZE);
    c.setMinimumIdle(0);
    c.setConnectionTimeout(10_000);
    c.setInitializationFailTimeout(-1); // no connection until the first read
    return new HikariDataSource(c);
  }

  /**
   * A pooled connection for a read, bounded in time; close it to give it back.
   *
   * @throws SQLException when storage cannot be reached within 10 s
   */
  public Connection read() throws SQLException {
    return reads.getConnection();
  }

  /** {@code plain} or {@code timescaledb}. */
  public String layout() {
    return layout.name();
  }

  /** A new connection to the store (the caller closes it). */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, props);
  }

  /**
   * Writes every sample of the batches in one transaction and commits; when this returns, they are
   * durable. On failure nothing of them is stored. Returns each sample's series id, batch by batch.
   */
  public List<long[]> write(List<SampleBatch> batches) throws SQLException {
    try {
      return writeOnce(batches);
    } catch (SQLException e) {
      // compaction may have dropped a day's partition since it was last seen: look again, once
      layout.forget();
      if (PARTITION_GONE.contains(String.valueOf(e.getSQLState()))) {
        return writeOnce(batches);
      }
      throw e;
    }
  }

  /** undefined_table, check_violation (no partition for a row), object_not_in_prerequisite. */
  private static final Set<String> PARTITION_GONE = Set.of("42P01", "23514", "55000", "XX000");

  private volatile java.util.function.BiConsumer<SampleBatch, long[]> samplesElsewhere;

  private List<long[]> writeOnce(List<SampleBatch> batches) throws SQLException {
    Connection c = writer();
    try {
      List<long[]> seriesIds = resolve(c, batches);
      Set<LocalDate> days = new HashSet<>();
      int rows = 0;
      for (SampleBatch b : batches) {
        rows += b.size();
        long lastDay = Long.MIN_VALUE;
        for (int i = 0; i < b.size(); i++) {
          long day = Math.floorDiv(b.time(i), 86_400_000L);
          if (day != lastDay) {
            days.add(LocalDate.ofEpochDay(day));
            lastDay = day;
          }
        }
      }
      java.util.function.BiConsumer<SampleBatch, long[]> elsewhere = samplesElsewhere;
      if (elsewhere != null) {
        c.setAutoCommit(false);
        // queued on disk for the remote engine before the commit: acknowledged means kept
        for (int k = 0; k < batches.size(); k++) {
          elsewhere.accept(batches.get(k), seriesIds.get(k));
        }
      } else {
        c.setAutoCommit(true);
        layout.prepareDays(c, days);
        c.setAutoCommit(false);
        BinaryCopy copy = new BinaryCopy(rows);
        for (int k = 0; k < batches.size(); k++) {
          SampleBatch b = batches.get(k);
          long[] id = seriesIds.get(k);
          for (int i = 0; i < b.size(); i++) {
            copy.row(b.time(i), id[i], b.value(i));
          }
        }
        c.unwrap(PGConnection.class)
            .getCopyAPI()
            .copyIn(COPY, new ByteArrayInputStream(copy.finish()));
      }
      List<String> batchIds = new ArrayList<>();
      for (SampleBatch b : batches) {
        if (b.batchId() != null) {
          batchIds.add(b.batchId());
        }
      }
      if (!batchIds.isEmpty()) {
        // in the same transaction: a request is known as committed exactly when its samples are
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO ingest_batches (id) SELECT unnest(?::text[]) ON CONFLICT DO NOTHING")) {
          ps.setArray(1, c.createArrayOf("text", batchIds.toArray()));
          ps.executeUpdate();
        }
      }
      c.commit();
      SampleCache cached = cache;
      if (cached != null) {
        lateWrites(cached, batches, seriesIds);
      }
      return seriesIds;
    } catch (SQLException | IOException | RuntimeException e) {
      closeWriter();
      throw e instanceof SQLException s ? s : new SQLException("writing samples: " + e, e);
    }
  }

  /** Tells the cache of committed samples older than its horizon (rare: late arrivals). */
  private static void lateWrites(SampleCache cache, List<SampleBatch> batches, List<long[]> ids) {
    long horizon = cache.horizon();
    long[] late = null;
    int n = 0;
    for (int k = 0; k < batches.size(); k++) {
      SampleBatch b = batches.get(k);
      for (int i = 0; i < b.size(); i++) {
        if (b.time(i) < horizon) {
          if (late == null) {
            late = new long[16];
          } else if (n == late.length) {
            late = java.util.Arrays.copyOf(late, n * 2);
          }
          late[n++] = ids.get(k)[i];
        }
      }
    }
    if (n > 0) {
      cache.lateWrite(late, n);
    }
  }

  /**
   * The id of every sample's series, batch by batch, creating the unknown series (one lookup a
   * sample when all are known).
   */
  private List<long[]> resolve(Connection c, List<SampleBatch> batches) throws SQLException {
    List<long[]> out = new ArrayList<>(batches.size());
    Map<String, Series> missing = new HashMap<>();
    for (SampleBatch b : batches) {
      long[] id = new long[b.size()];
      for (int i = 0; i < b.size(); i++) {
        Long known = ids.get(b.series(i));
        if (known == null) {
          missing.putIfAbsent(key(b.series(i)), b.series(i));
          id[i] = -1;
        } else {
          id[i] = known;
        }
      }
      out.add(id);
    }
    if (missing.isEmpty()) {
      return out;
    }
    c.setAutoCommit(true);
    List<String> keys = new ArrayList<>(missing.keySet());
    String[] metrics = new String[keys.size()];
    String[] tenants = new String[keys.size()];
    String[] labels = new String[keys.size()];
    byte[][] hashes = new byte[keys.size()][];
    for (int i = 0; i < keys.size(); i++) {
      Series s = missing.get(keys.get(i));
      metrics[i] = s.name();
      tenants[i] = s.tenant();
      labels[i] = JsonText.of(s.labels().asMap());
      hashes[i] = keyHash(keys.get(i));
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO series (metric, tenant, labels, key, key_hash)"
                + " SELECT * FROM unnest(?::text[], ?::text[], ?::jsonb[], ?::text[], ?::bytea[])"
                + " ON CONFLICT (key_hash) DO NOTHING")) {
      ps.setArray(1, c.createArrayOf("text", metrics));
      ps.setArray(2, c.createArrayOf("text", tenants));
      ps.setArray(3, c.createArrayOf("text", labels));
      ps.setArray(4, c.createArrayOf("text", keys.toArray()));
      ps.setArray(5, c.createArrayOf("bytea", hashes));
      ps.executeUpdate();
    }
    SampleCache cached = cache;
    if (cached != null) {
      cached.seriesCreated(); // committed (autocommit): selectors may find more now
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT id, key FROM series WHERE key_hash = ANY (?)")) {
      ps.setArray(1, c.createArrayOf("bytea", hashes));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          Series s = missing.get(rs.getString(2));
          if (s != null) {
            ids.put(s, rs.getLong(1));
          }
        }
      }
    }
    for (int k = 0; k < batches.size(); k++) {
      SampleBatch b = batches.get(k);
      long[] id = out.get(k);
      for (int i = 0; i < b.size(); i++) {
        if (id[i] < 0) {
          Long created = ids.get(b.series(i));
          if (created == null) {
            throw new SQLException("series " + b.series(i) + " has no id after insert");
          }
          id[i] = created;
        }
      }
    }
    return out;
  }

  /**
   * Forgets the ids of series {@code active} does not hold (those the head let go): a series
   * written again is looked up once more. Keeps the cache as large as the active series, not as
   * every series ever written.
   */
  public int forgetInactive(java.util.function.Predicate<Series> active) {
    int before = ids.size();
    ids.keySet().removeIf(s -> !active.test(s));
    return before - ids.size();
  }

  /** How long the ids of committed requests are kept: longer than any sender retries one. */
  public static final java.time.Duration BATCH_IDS_KEPT = java.time.Duration.ofDays(7);

  /** Whether a request of this id has been committed (within {@link #BATCH_IDS_KEPT}). */
  public boolean committedBatch(String id) throws SQLException {
    try (Connection c = read();
        PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ingest_batches WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * {@code host:port/database} of a JDBC URL: what may be shown of it (parameters may hold a
   * password).
   */
  public static String where(String jdbcUrl) {
    return StorageErrors.where(jdbcUrl);
  }

  /** The SHA-256 of a series' key (its UTF-8 bytes): what the unique index holds. */
  static byte[] keyHash(String key) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256")
          .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The unique text identity of a series: its Prometheus notation. */
  static String key(Series s) {
    return s.name() + s.labels();
  }

  /**
   * Keeps settled samples read from here in memory, up to {@code maxBytes}; see {@link
   * SampleCache}. {@code horizon} gives the time before which samples are settled.
   */
  public void cacheReads(long maxBytes, java.util.function.LongSupplier horizon) {
    cache = maxBytes > 0 ? new SampleCache(maxBytes, horizon) : null;
  }

  /** The read cache, or null without one. */
  /**
   * Samples go to {@code sink} (with their series ids) instead of PostgreSQL's tables (storage type
   * remote): called in the writing transaction before it commits, so that a sample is acknowledged
   * only once the sink has it; a sink that throws fails the write. Series, batch ids and everything
   * else stay here.
   */
  public void samplesTo(java.util.function.BiConsumer<SampleBatch, long[]> sink) {
    this.samplesElsewhere = sink;
  }

  /**
   * Every tenant with series, for reading tenant by tenant: the configured tenants and those
   * PostgreSQL has series of (looked up at most every 30 seconds).
   */
  public java.util.function.Supplier<java.util.Set<String>> knownTenants(
      java.util.Set<String> configured) {
    java.util.concurrent.atomic.AtomicReference<java.util.Map.Entry<Long, java.util.Set<String>>>
        last = new java.util.concurrent.atomic.AtomicReference<>();
    return () -> {
      var seen = last.get();
      long now = System.nanoTime();
      if (seen == null || now - seen.getKey() > 30_000_000_000L) {
        java.util.Set<String> all = new java.util.TreeSet<>(configured);
        try {
          all.addAll(tenants());
        } catch (SQLException e) {
          throw new IllegalStateException("reading tenants: " + e.getMessage(), e);
        }
        seen = java.util.Map.entry(now, java.util.Set.copyOf(all));
        last.set(seen);
      }
      return seen.getValue();
    };
  }

  /** The tenants that have series. */
  public Set<String> tenants() throws SQLException {
    try (Connection c = read();
        PreparedStatement ps = c.prepareStatement("SELECT DISTINCT tenant FROM series");
        ResultSet rs = ps.executeQuery()) {
      Set<String> out = new java.util.TreeSet<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  public SampleCache cache() {
    return cache;
  }

  /** Partitions ahead and retention; the number of days dropped. */
  public int maintain() throws SQLException {
    try (Connection c = connect()) {
      int dropped = layout.maintain(c, Instant.now(), retention);
      int chunks;
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM sample_chunks WHERE max_time < ?")) {
        ps.setObject(1, Instant.now().minus(retention).atOffset(java.time.ZoneOffset.UTC));
        chunks = ps.executeUpdate();
      }
      SampleCache cached = cache;
      if (cached != null && (dropped > 0 || chunks > 0)) {
        cached.clear(); // what went must not be read from memory
      }
      try (PreparedStatement ps =
          c.prepareStatement("DELETE FROM ingest_batches WHERE committed_at < ?")) {
        ps.setObject(1, Instant.now().minus(BATCH_IDS_KEPT).atOffset(java.time.ZoneOffset.UTC));
        ps.executeUpdate();
      }
      return dropped;
    }
  }

  /**
   * Moves the samples of every stretch (day) that ended at or before {@code before} from rows into
   * compressed chunks; see {@link Compaction}. Runs on a connection of its own, beside writes.
   */
  public Compaction.Result compact(Instant before) throws SQLException {
    try (Connection c = connect()) {
      Compaction.Result r = Compaction.run(c, layout, before);
      // the day still written: its rows older than before, an hour at a time
      Compaction.Open open = Compaction.runOpen(c, layout, openCompactedThrough, before);
      openCompactedThrough = open.through();
      return r.plus(open.result());
    }
  }

  /** Where the rows of the day still written have been moved into chunks up to. */
  private volatile Instant openCompactedThrough = Instant.EPOCH;

  /**
   * Whether storage answers now: a new connection and {@code SELECT 1}, each bounded by {@code
   * timeout}.
   *
   * @throws SQLException naming what failed
   */
  public void ping(Duration timeout) throws SQLException {
    Properties p = new Properties();
    p.putAll(props);
    int seconds = (int) Math.max(1, timeout.toSeconds());
    p.setProperty("connectTimeout", Integer.toString(seconds));
    p.setProperty("socketTimeout", Integer.toString(seconds));
    p.setProperty("loginTimeout", Integer.toString(seconds));
    try (Connection c = DriverManager.getConnection(url, p);
        Statement st = c.createStatement()) {
      st.setQueryTimeout(seconds);
      st.execute("SELECT 1");
    }
  }

  /** Receives stored samples, series by series in time order. */
  public interface SampleSink {
    void accept(long seriesId, Series series, long timeMillis, double value);
  }

  /** Streams every sample newer than {@code since}, ordered by series and time. */
  public long scan(Instant since, SampleSink sink) throws SQLException {
    long n = 0;
    try (Connection c = connect()) {
      c.setAutoCommit(false); // a cursor, not the whole result in memory
      Map<Long, Series> series = new HashMap<>();
      // only the series with samples in the window: not every series ever written
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT s.id, s.metric, s.labels::text FROM series s WHERE EXISTS"
                  + " (SELECT 1 FROM samples x WHERE x.series_id = s.id AND x.time > ?)")) {
        ps.setTimestamp(1, Timestamp.from(since));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            series.put(rs.getLong(1), new Series(rs.getString(2), labels(rs.getString(3))));
          }
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT series_id, time, "
                  + VALUE_BITS
                  + " FROM samples WHERE time > ?"
                  + " ORDER BY series_id, time")) {
        ps.setFetchSize(10_000);
        ps.setTimestamp(1, Timestamp.from(since));
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Series s = series.get(rs.getLong(1));
            if (s != null) {
              sink.accept(rs.getLong(1), s, rs.getTimestamp(2).getTime(), value(rs, 3));
              n++;
            }
          }
        }
      }
      c.commit();
    }
    return n;
  }

  /**
   * The select expression for a sample's value as its 8 IEEE 754 bytes: {@code float8} read as text
   * (or as a Java double through some drivers' paths) makes every NaN the same NaN, and the stale
   * marker is a NaN of its own. Read it with {@link #value(ResultSet, int)}.
   */
  public static final String VALUE_BITS = "float8send(value)";

  /** A value selected as {@link #VALUE_BITS}, bit for bit. */
  public static double value(ResultSet rs, int column) throws SQLException {
    byte[] b = rs.getBytes(column);
    return Double.longBitsToDouble(java.nio.ByteBuffer.wrap(b).getLong());
  }

  /** Replaces the saved alerts of one alerting rule, in one transaction. */
  public void saveAlerts(String group, String alertname, List<AlertState.Saved> alerts)
      throws SQLException {
    saveAlerts(group, alertname, alerts, null);
  }

  /**
   * As above, replacing the saved alerts of the tenants {@code tenants} accepts only (null: all);
   * the rows of other tenants stay as they are (another replica's).
   */
  public void saveAlerts(
      String group,
      String alertname,
      List<AlertState.Saved> alerts,
      java.util.function.Predicate<String> tenants)
      throws SQLException {
    try (Connection c = read()) {
      c.setAutoCommit(false);
      if (tenants == null) {
        try (PreparedStatement del =
            c.prepareStatement("DELETE FROM alert_state WHERE rule_group = ? AND alertname = ?")) {
          del.setString(1, group);
          del.setString(2, alertname);
          del.executeUpdate();
        }
      } else {
        List<String> mine = new ArrayList<>();
        boolean withoutTenant = false;
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT DISTINCT labels ->> 'tenant' FROM alert_state"
                    + " WHERE rule_group = ? AND alertname = ?")) {
          ps.setString(1, group);
          ps.setString(2, alertname);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              String t = rs.getString(1);
              if (tenants.test(t)) {
                if (t == null) {
                  withoutTenant = true;
                } else {
                  mine.add(t);
                }
              }
            }
          }
        }
        try (PreparedStatement del =
            c.prepareStatement(
                "DELETE FROM alert_state WHERE rule_group = ? AND alertname = ?"
                    + " AND (labels ->> 'tenant' = ANY (?)"
                    + " OR (? AND labels ->> 'tenant' IS NULL))")) {
          del.setString(1, group);
          del.setString(2, alertname);
          del.setArray(3, c.createArrayOf("text", mine.toArray()));
          del.setBoolean(4, withoutTenant);
          del.executeUpdate();
        }
      }
      try (PreparedStatement ins =
          c.prepareStatement(
              "INSERT INTO alert_state (rule_group, alertname, labels, annotations, state,"
                  + " active_at, fired_at, resolved_at, keep_firing_since, value, last_sent_at)"
                  + " VALUES (?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)")) {
        for (AlertState.Saved a : alerts) {
          ins.setString(1, group);
          ins.setString(2, alertname);
          ins.setString(3, JsonText.of(a.labels().asMap()));
          ins.setString(4, JsonText.of(a.annotations()));
          ins.setString(5, a.state().name());
          ins.setLong(6, a.activeAt());
          ins.setLong(7, a.firedAt());
          ins.setLong(8, a.resolvedAt());
          ins.setLong(9, a.keepFiringSince());
          ins.setDouble(10, a.value());
          ins.setLong(11, a.lastSentAt());
          ins.addBatch();
        }
        ins.executeBatch();
      }
      c.commit();
    }
  }

  /** The saved alerts of one alerting rule. */
  public List<AlertState.Saved> loadAlerts(String group, String alertname) throws SQLException {
    List<AlertState.Saved> out = new ArrayList<>();
    try (Connection c = read();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT labels::text, annotations::text, state, active_at, fired_at, resolved_at,"
                    + " keep_firing_since, value, last_sent_at FROM alert_state"
                    + " WHERE rule_group = ? AND alertname = ?")) {
      ps.setString(1, group);
      ps.setString(2, alertname);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          try {
            Map<String, String> annotations = JsonText.strings(rs.getString(2));
            out.add(
                new AlertState.Saved(
                    labels(rs.getString(1)),
                    annotations,
                    AlertState.State.valueOf(rs.getString(3)),
                    rs.getLong(4),
                    rs.getLong(5),
                    rs.getLong(6),
                    rs.getLong(7),
                    rs.getDouble(8),
                    rs.getLong(9)));
          } catch (RuntimeException e) {
            // one row a hand or a bug spoiled: that alert starts afresh, the collector starts
            LOG.warning(
                "skipping a saved alert of "
                    + group
                    + "/"
                    + alertname
                    + " that cannot be read: "
                    + e.getMessage());
          }
        }
      }
    }
    return out;
  }

  /** How many series and samples are stored. */
  public record Counts(long series, long samples) {}

  public Counts counts() throws SQLException {
    try (Connection c = read();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT (SELECT count(*) FROM series), (SELECT count(*) FROM samples)"
                    + " + (SELECT coalesce(sum(samples), 0) FROM sample_chunks)")) {
      rs.next();
      return new Counts(rs.getLong(1), rs.getLong(2));
    }
  }

  private static Labels labels(String json) {
    return Labels.of(JsonText.strings(json));
  }

  private Connection writer() throws SQLException {
    if (writer == null) {
      writer = connect();
    }
    return writer;
  }

  private void closeWriter() {
    if (writer != null) {
      try {
        writer.close();
      } catch (SQLException ignored) {
        // the connection is gone already
      }
      writer = null;
    }
  }

  @Override
  public void close() {
    closeWriter();
    if (reads != null) {
      reads.close();
    }
  }
}
