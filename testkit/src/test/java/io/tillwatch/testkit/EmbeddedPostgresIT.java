package io.tillwatch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.localpg.EmbeddedPostgresBinaries;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fallback for machines without PostgreSQL: binaries from Maven Central (no pg_basebackup), a
 * standby made by a low-level base backup, streaming through its slot.
 */
class EmbeddedPostgresIT {
  @TempDir Path dir;

  @Test
  @Timeout(180)
  void embeddedBinariesRunAPrimaryAndAStreamingStandbyWithoutPgBasebackup() throws Exception {
    assertThat(EmbeddedPostgresBinaries.available()).isTrue();
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path bin = EmbeddedPostgresBinaries.extract(dir.resolve("pg"));
    assertThat(bin.resolve("pg_basebackup")).doesNotExist();
    assertThat(EmbeddedPostgresBinaries.extract(dir.resolve("pg"))).isEqualTo(bin); // reused
    try (ReplicatedPostgres pg = ReplicatedPostgres.start(bin)) {
      assertThat(pg.primary().queryString("SHOW server_version_num")).startsWith("18");
      assertThat(pg.standby().queryString("SELECT pg_is_in_recovery()")).isEqualTo("t");
      assertThat(pg.standby().queryString("SELECT status FROM pg_stat_wal_receiver"))
          .isEqualTo("streaming");
      pg.primary().execute("CREATE TABLE t (x int)", "INSERT INTO t VALUES (7)");
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> "7".equals(pg.standby().queryString("SELECT x::text FROM t")));
    }
  }
}
