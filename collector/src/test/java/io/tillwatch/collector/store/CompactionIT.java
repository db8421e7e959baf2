package io.tillwatch.collector.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Series;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.promql.SeriesSource.Stored;
import io.tillwatch.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Past days move from rows into compressed chunks: reads give back every sample bit for bit before
 * and after, late samples of a compacted day are kept and merged, a writer that still believes in a
 * dropped partition writes anyway, and retention removes old chunks.
 */
@Timeout(120)
class CompactionIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final Series COUNTER = series("orders_total", "acme");
  private static final Series GAUGE = series("lag_seconds", "acme");
  private static final Series OTHER = series("orders_total", "globex");

  private static Series series(String name, String tenant) {
    return new Series(name, Labels.of("tenant", tenant, "target", "t1"));
  }

  private static PgStore open(String db, Duration retention) throws Exception {
    PostgresServer pg = PG.server();
    return PgStore.open(
        pg.jdbcUrl(db),
        PostgresServer.SUPERUSER,
        Secret.of(pg.superuserPassword()),
        retention,
        Duration.ofSeconds(30));
  }

  /** Every series of a metric name, as the engine would read it. */
  private static List<Stored> read(PgStore store, String metric, long from, long to) {
    return new StorageSource(store, TenantScope.all())
        .select(List.of(Matcher.of("__name__", Matcher.Op.EQ, metric)), from, to);
  }

  /** time → raw value bits of each series, keyed by labels, for bit-exact comparison. */
  static TreeMap<String, TreeMap<Long, Long>> bits(List<Stored> stored) {
    TreeMap<String, TreeMap<Long, Long>> out = new TreeMap<>();
    for (Stored s : stored) {
      TreeMap<Long, Long> samples = new TreeMap<>();
      for (int i = 0; i < s.times().length; i++) {
        if (i > 0) {
          assertThat(s.times()[i]).as("strictly ascending").isGreaterThan(s.times()[i - 1]);
        }
        samples.put(s.times()[i], Double.doubleToRawLongBits(s.values()[i]));
      }
      out.put(s.labels().toString(), samples);
    }
    return out;
  }

  private static long count(PgStore store, String sql) throws Exception {
    try (Connection c = store.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void pastDaysBecomeChunksAndReadBackBitForBit() throws Exception {
    PG.createDatabase("compaction");
    Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
    long start = today.minus(Duration.ofDays(3)).toEpochMilli();
    long end = today.minus(Duration.ofDays(1)).toEpochMilli() + 3_600_000L; // into yesterday
    Random r = new Random(42);
    try (PgStore store = open("compaction", Duration.ofDays(30))) {
      List<SampleBatch> batches = new ArrayList<>();
      SampleBatch b = new SampleBatch();
      double counter = 0;
      for (long t = start; t < end; t += 15_000) {
        counter += r.nextInt(5);
        b.add(COUNTER, t, counter, false);
        long jitter = r.nextInt(900); // millisecond precision, off the 15 s grid
        double gauge =
            t % 3_600_000L == 0
                ? Double.longBitsToDouble(SeriesSource.STALE_NAN_BITS)
                : t % 7_200_000L == 15_000 ? Double.NaN : r.nextGaussian() * 1e3;
        b.add(GAUGE, t + jitter, gauge, false);
        b.add(OTHER, t, counter * 2, false);
        if (b.size() >= 5_000) {
          batches.add(b);
          b = new SampleBatch();
        }
      }
      batches.add(b);
      for (SampleBatch batch : batches) {
        store.write(List.of(batch));
      }
      store.write(List.of(batches.get(3))); // a batch delivered twice: its samples count once
      long written = (end - start) / 15_000 * 3;
      var counterBefore = bits(read(store, "orders_total", start, end));
      var gaugeBefore = bits(read(store, "lag_seconds", start, end));
      assertThat(counterBefore).hasSize(2);
      assertThat(gaugeBefore.firstEntry().getValue()).hasSize((int) ((end - start) / 15_000));

      // the two whole past days are sealed; yesterday, still being written, is not
      Compaction.Result result = store.compact(today.minus(Duration.ofDays(1)));
      assertThat(result.stretches()).isEqualTo(2);
      long compactedSamples = 2 * 86_400 / 15 * 3;
      assertThat(result.samples()).isEqualTo(compactedSamples);
      assertThat(count(store, "SELECT count(*) FROM sample_chunks")).isEqualTo(result.chunks());
      assertThat(count(store, "SELECT max(samples) FROM sample_chunks"))
          .isEqualTo(Compaction.MAX_CHUNK_SAMPLES);
      assertThat(count(store, "SELECT count(*) FROM samples"))
          .as("only yesterday's rows are left (and the duplicate batch's)")
          .isEqualTo(written - compactedSamples + rowsAfter(batches.get(3), today));
      String gone =
          "samples_p"
              + LocalDate.ofInstant(Instant.ofEpochMilli(start), ZoneOffset.UTC)
                  .toString()
                  .replace("-", "");
      assertThat(count(store, "SELECT count(*) FROM pg_class WHERE relname = '" + gone + "'"))
          .isZero();
      // ~1–2 bytes a sample for counters, more for random millisecond gauges
      long chunkBytes = count(store, "SELECT sum(octet_length(data)) FROM sample_chunks");
      assertThat((double) chunkBytes / compactedSamples).isLessThan(6.0);

      assertThat(bits(read(store, "orders_total", start, end))).isEqualTo(counterBefore);
      assertThat(bits(read(store, "lag_seconds", start, end))).isEqualTo(gaugeBefore);
      // a window inside one chunk, across a chunk boundary and across days
      long mid = start + 86_400_000L - 600_000L;
      assertThat(bits(read(store, "orders_total", mid, mid + 1_200_000L)))
          .isEqualTo(slice(counterBefore, mid, mid + 1_200_000L));
      assertThat(store.counts().samples()).isEqualTo(written);

      // a late sample for a compacted day: its partition comes back, reads merge it in order
      long late = start + 7_500; // between two samples of the first day
      SampleBatch lateBatch = new SampleBatch();
      lateBatch.add(COUNTER, late, -1, false);
      store.write(List.of(lateBatch));
      TreeMap<Long, Long> withLate =
          bits(read(store, "orders_total", start, end)).firstEntry().getValue();
      assertThat(withLate).hasSize(counterBefore.firstEntry().getValue().size() + 1);
      assertThat(withLate.get(late)).isEqualTo(Double.doubleToRawLongBits(-1));
      // compacted again: one more chunk, the same samples
      assertThat(store.compact(today.minus(Duration.ofDays(1))).samples()).isEqualTo(1);
      assertThat(bits(read(store, "orders_total", start, end)).firstEntry().getValue())
          .isEqualTo(withLate);
    }
  }

  @Test
  void theDayStillWrittenMovesItsPastHoursIntoChunksAndKeepsLateRows() throws Exception {
    PG.createDatabase("compaction_open");
    // a day as if it were today: written from 00:00 to 08:00, compacted at 05:30, then 08:30
    Instant day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(1));
    long start = day.toEpochMilli();
    long end = start + 8 * 3_600_000L;
    try (PgStore store = open("compaction_open", Duration.ofDays(30))) {
      SampleBatch b = new SampleBatch();
      for (long t = start; t < end; t += 15_000) {
        b.add(COUNTER, t, t / 15_000.0, false);
        b.add(OTHER, t + 300, -t / 15_000.0, false);
      }
      store.write(List.of(b));
      var before = bits(read(store, "orders_total", start, end));
      long perHour = 3_600_000L / 15_000 * 2;

      Compaction.Result first = store.compact(day.plus(Duration.ofMinutes(330)));
      assertThat(first.samples()).as("00:00 to 05:00").isEqualTo(5 * perHour);
      assertThat(count(store, "SELECT count(*) FROM samples")).isEqualTo(3 * perHour);
      assertThat(bits(read(store, "orders_total", start, end))).isEqualTo(before);

      // a late sample into a compacted hour stays a row and reads merge it
      long late = start + 3_600_000L + 7_500;
      SampleBatch lateBatch = new SampleBatch();
      lateBatch.add(COUNTER, late, 0.5, false);
      store.write(List.of(lateBatch));
      assertThat(store.compact(day.plus(Duration.ofMinutes(340))).samples()).isZero();
      // keyed by labels: acme's counter sorts before globex's
      TreeMap<Long, Long> merged =
          bits(read(store, "orders_total", start, end)).firstEntry().getValue();
      assertThat(merged.get(late)).isEqualTo(Double.doubleToRawLongBits(0.5));
      assertThat(merged).hasSize(before.firstEntry().getValue().size() + 1);

      // later, the next hours follow; the day's end seals the rest
      assertThat(store.compact(day.plus(Duration.ofMinutes(510))).samples()).isEqualTo(3 * perHour);
      assertThat(count(store, "SELECT count(*) FROM samples")).isEqualTo(1);
      assertThat(store.compact(day.plus(Duration.ofDays(1))).stretches()).isEqualTo(1);
      assertThat(count(store, "SELECT count(*) FROM samples")).isZero();
      TreeMap<String, TreeMap<Long, Long>> after = bits(read(store, "orders_total", start, end));
      assertThat(after.lastEntry().getValue()).isEqualTo(before.lastEntry().getValue());
      assertThat(after.firstEntry().getValue()).isEqualTo(merged);
    }
  }

  private static long rowsAfter(SampleBatch b, Instant today) {
    long n = 0;
    long yesterday = today.minus(Duration.ofDays(1)).toEpochMilli();
    for (int i = 0; i < b.size(); i++) {
      n += b.time(i) >= yesterday ? 1 : 0;
    }
    return n;
  }

  private static TreeMap<String, TreeMap<Long, Long>> slice(
      TreeMap<String, TreeMap<Long, Long>> all, long from, long to) {
    TreeMap<String, TreeMap<Long, Long>> out = new TreeMap<>();
    all.forEach((k, v) -> out.put(k, new TreeMap<>(v.subMap(from, true, to, true))));
    return out;
  }

  @Test
  void aWriterThatMissedTheCompactionStillWrites() throws Exception {
    PG.createDatabase("compaction_race");
    long day = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2)).toEpochMilli();
    try (PgStore writer = open("compaction_race", Duration.ofDays(30));
        PgStore compactor = open("compaction_race", Duration.ofDays(30))) {
      SampleBatch first = new SampleBatch();
      first.add(COUNTER, day + 1_000, 1, false);
      writer.write(List.of(first)); // the writer now knows the day's partition
      assertThat(compactor.compact(Instant.ofEpochMilli(day + 86_400_000L)).stretches())
          .isEqualTo(1);
      SampleBatch second = new SampleBatch();
      second.add(COUNTER, day + 2_000, 2, false);
      writer.write(List.of(second)); // its partition is gone: found missing, created, written
      assertThat(bits(read(writer, "orders_total", day, day + 86_400_000L)).firstEntry().getValue())
          .containsOnlyKeys(day + 1_000, day + 2_000);
    }
  }

  @Test
  void retentionRemovesChunksWhollyPastIt() throws Exception {
    PG.createDatabase("compaction_retention");
    long old = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(5)).toEpochMilli();
    try (PgStore store = open("compaction_retention", Duration.ofDays(30))) {
      SampleBatch b = new SampleBatch();
      b.add(COUNTER, old + 1_000, 1, false);
      store.write(List.of(b));
      store.compact(Instant.ofEpochMilli(old + 86_400_000L));
      store.maintain();
      assertThat(count(store, "SELECT count(*) FROM sample_chunks")).isEqualTo(1);
    }
    try (PgStore shorter = open("compaction_retention", Duration.ofDays(2))) {
      shorter.maintain();
      assertThat(count(shorter, "SELECT count(*) FROM sample_chunks")).isZero();
    }
  }
}
