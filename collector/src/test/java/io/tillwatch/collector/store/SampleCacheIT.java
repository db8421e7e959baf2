package io.tillwatch.collector.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Series;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource.Stored;
import io.tillwatch.testkit.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reads through the sample cache give what storage holds, bit for bit, for any range: after a fill,
 * when the horizon moves on (the entries grow), after a late sample (the entry goes), after a new
 * series (the lookup goes), for each tenant only its own, and within the memory given.
 */
@Timeout(120)
class SampleCacheIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final long MINUTE = 60_000L;

  private static Series series(String tenant, String target) {
    return new Series("lag_seconds", Labels.of("tenant", tenant, "target", target));
  }

  private static PgStore open(String db) throws Exception {
    PostgresServer pg = PG.server();
    return PgStore.open(
        pg.jdbcUrl(db),
        PostgresServer.SUPERUSER,
        Secret.of(pg.superuserPassword()),
        Duration.ofDays(30),
        Duration.ofSeconds(30));
  }

  private static List<Stored> read(PgStore store, TenantScope scope, long from, long to) {
    return new StorageSource(store, scope)
        .select(List.of(Matcher.of("__name__", Matcher.Op.EQ, "lag_seconds")), from, to);
  }

  private static TreeMap<String, TreeMap<Long, Long>> bits(List<Stored> stored) {
    return CompactionIT.bits(stored);
  }

  private static void write(PgStore store, List<Series> series, long from, long to, Random r)
      throws Exception {
    SampleBatch b = new SampleBatch();
    for (long t = from; t < to; t += MINUTE) {
      for (Series s : series) {
        b.add(s, t + r.nextInt(500), r.nextInt(10) == 0 ? Double.NaN : r.nextGaussian(), false);
      }
      if (b.size() >= 5_000) {
        store.write(List.of(b));
        b = new SampleBatch();
      }
    }
    if (b.size() > 0) {
      store.write(List.of(b));
    }
  }

  @Test
  void cachedReadsAreStorageBitForBitAsTheHorizonMovesAndLateSamplesCome() throws Exception {
    PG.createDatabase("samplecache");
    Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS);
    long start = today.minus(Duration.ofDays(3)).toEpochMilli();
    long horizonAt = today.minus(Duration.ofHours(12)).toEpochMilli();
    List<Series> acme = List.of(series("acme", "a"), series("acme", "b"));
    List<Series> globex = List.of(series("globex", "a"));
    Random r = new Random(7);
    try (PgStore cached = open("samplecache");
        PgStore plain = open("samplecache")) {
      AtomicLong horizon = new AtomicLong(horizonAt);
      cached.cacheReads(64L << 20, horizon::get);
      List<Series> all = new ArrayList<>(acme);
      all.addAll(globex);
      write(cached, all, start, horizonAt + 6 * 3_600_000L, r);
      // two whole days are chunks, the rest rows: the cache merges both
      cached.compact(today.minus(Duration.ofDays(1)));
      SampleCache cache = cached.cache();

      long[][] ranges = {
        {start, horizonAt - 1},
        {start + 7 * MINUTE + 13, horizonAt - 3 * 3_600_000L},
        {today.minus(Duration.ofDays(1)).toEpochMilli(), horizonAt - 1},
        {start - 86_400_000L, start + 30 * MINUTE},
      };
      for (long[] range : ranges) {
        for (TenantScope scope :
            List.of(
                TenantScope.all(),
                TenantScope.of(Set.of("acme")),
                TenantScope.of(Set.of("globex")))) {
          var want = bits(read(plain, scope, range[0], range[1]));
          assertThat(bits(read(cached, scope, range[0], range[1])))
              .as("%s %s first", scope, range[0])
              .isEqualTo(want);
          long[] before = cache.hitsAndMisses();
          assertThat(bits(read(cached, scope, range[0], range[1])))
              .as("%s %s again", scope, range[0])
              .isEqualTo(want);
          long[] after = cache.hitsAndMisses();
          // again: every series from memory
          assertThat(after[1]).isEqualTo(before[1]);
          assertThat(after[0] - before[0]).isEqualTo(want.size());
        }
      }
      assertThat(bits(read(cached, TenantScope.of(Set.of("acme")), start, horizonAt - 1)))
          .hasSize(2)
          .allSatisfy((labels, samples) -> assertThat(labels).contains("acme"));

      // the horizon moves on by 4 hours: a read up to it takes the rows after each entry's end
      // from storage, once; the entries then reach the new horizon
      horizon.addAndGet(4 * 3_600_000L);
      long newEnd = horizon.get() - 1;
      var want = bits(read(plain, TenantScope.all(), start, newEnd));
      assertThat(bits(read(cached, TenantScope.all(), start, newEnd))).isEqualTo(want);
      assertThat(want.values()).allSatisfy(m -> assertThat(m.lastKey()).isGreaterThan(horizonAt));

      // a late sample, older than the horizon: the next read has it
      SampleBatch late = new SampleBatch();
      long lateTime = start + 90 * MINUTE + 30_001;
      late.add(acme.get(0), lateTime, 12345.5, false);
      cached.write(List.of(late));
      var withLate = bits(read(cached, TenantScope.all(), start, newEnd));
      assertThat(withLate).isEqualTo(bits(read(plain, TenantScope.all(), start, newEnd)));
      assertThat(
              withLate.values().stream()
                  .anyMatch(
                      m ->
                          Long.valueOf(Double.doubleToRawLongBits(12345.5))
                              .equals(m.get(lateTime))))
          .isTrue();

      // a new series of the selector: found at once
      write(cached, List.of(series("acme", "c")), start, start + 10 * MINUTE, r);
      assertThat(read(cached, TenantScope.of(Set.of("acme")), start, newEnd)).hasSize(3);

      // within the memory given: a small cache keeps under its bytes and still reads right
      cached.cacheReads(4_000, horizon::get);
      assertThat(bits(read(cached, TenantScope.all(), start, newEnd)))
          .isEqualTo(bits(read(plain, TenantScope.all(), start, newEnd)));
      assertThat(cached.cache().bytes()).isLessThanOrEqualTo(4_000);
    }
  }

  @Test
  void entriesEncodeAndExtendExactly() {
    long[] t = new long[3000];
    double[] v = new double[3000];
    Random r = new Random(3);
    for (int i = 0; i < t.length; i++) {
      t[i] = 1_000_000L + i * 15_000L + r.nextInt(100);
      v[i] = r.nextInt(4) == 0 ? 5.0 : r.nextGaussian();
    }
    SampleCache.Entry e = SampleCache.entry(0, t[1999] + 1, t, v, 2000);
    assertThat(e.chunks()).hasSize(2);
    SampleCache.Entry x =
        e.extend(
            t[2999] + 1,
            java.util.Arrays.copyOfRange(t, 2000, 3000),
            java.util.Arrays.copyOfRange(v, 2000, 3000),
            1000);
    long[] gotT = new long[3000];
    double[] gotV = new double[3000];
    int n = 0;
    for (var c : x.overlapping(Long.MIN_VALUE, Long.MAX_VALUE)) {
      n += c.decodeInto(Long.MIN_VALUE, Long.MAX_VALUE, gotT, gotV, n);
    }
    assertThat(n).isEqualTo(3000);
    assertThat(gotT).isEqualTo(t);
    for (int i = 0; i < n; i++) {
      assertThat(Double.doubleToRawLongBits(gotV[i])).isEqualTo(Double.doubleToRawLongBits(v[i]));
    }
    assertThat(x.overlapping(t[2500], t[2600])).hasSize(1);
    assertThat(x.bytes()).isGreaterThan(e.bytes());
    assertThat(x.chunks()).hasSize(3);
  }
}
