package io.tillwatch.collector.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Series;
import io.tillwatch.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PlainLayoutIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static TreeSet<String> partitions(String db) throws Exception {
    TreeSet<String> out = new TreeSet<>();
    try (Connection c = PG.server().connect(db);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT child.relname FROM pg_inherits"
                    + " JOIN pg_class parent ON parent.oid = pg_inherits.inhparent"
                    + " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
                    + " WHERE parent.relname = 'samples'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  private static String name(LocalDate d) {
    return "samples_p" + d.toString().replace("-", "");
  }

  @Test
  void daysArePartitionedAheadOnDemandAndDroppedPastRetention() throws Exception {
    String db = "layout";
    PG.createDatabase(db);
    PostgresServer pg = PG.server();
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    try (PgStore store =
        PgStore.open(
            pg.jdbcUrl(db),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            Duration.ofDays(3))) {
      assertThat(store.layout()).isEqualTo("plain");
      assertThat(partitions(db))
          .contains(
              name(today.minusDays(1)),
              name(today),
              name(today.plusDays(1)),
              name(today.plusDays(2)));
      // samples from ten days ago (a long agent outage replayed): their day is created on demand
      long now = System.currentTimeMillis();
      SampleBatch batch = new SampleBatch();
      Series s = new Series("m", Labels.of("tenant", "acme"));
      batch.add(s, now - Duration.ofDays(10).toMillis(), 1, false);
      batch.add(s, now, 2, false);
      store.write(List.of(batch));
      assertThat(partitions(db)).contains(name(today.minusDays(10)));
      assertThat(count(db)).isEqualTo(2);
      // upkeep drops every day wholly older than the retention, and only those
      assertThat(store.maintain()).isEqualTo(1);
      assertThat(partitions(db)).doesNotContain(name(today.minusDays(10)));
      assertThat(partitions(db)).contains(name(today.minusDays(1)), name(today));
      assertThat(count(db)).isEqualTo(1);
    }
    // a second start on the same database migrates nothing and keeps the data
    try (PgStore again =
        PgStore.open(
            pg.jdbcUrl(db),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            Duration.ofDays(3))) {
      assertThat(count(db)).isEqualTo(1);
      assertThat(again.counts().series()).isEqualTo(1);
    }
  }

  private static long count(String db) throws Exception {
    try (Connection c = PG.server().connect(db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM samples")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
