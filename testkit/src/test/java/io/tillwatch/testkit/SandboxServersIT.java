package io.tillwatch.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.sandbox.RedisServer;
import io.tillwatch.sandbox.ReplicatedPostgres;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The harness keeps its promises: real servers, streaming replication, nothing left behind. */
class SandboxServersIT {
  @Test
  @Timeout(120)
  void replicatedPostgresStreamsThroughItsSlotAndLeavesNothingBehind() {
    Path primaryDir;
    try (ReplicatedPostgres pg =
        ReplicatedPostgres.start(ReplicatedPostgresExtension.postgresBin())) {
      primaryDir = pg.primary().dataDir();
      assertThat(pg.primary().queryString("SELECT pg_is_in_recovery()")).isEqualTo("f");
      assertThat(pg.standby().queryString("SELECT pg_is_in_recovery()")).isEqualTo("t");
      assertThat(
              pg.primary()
                  .queryString(
                      "SELECT active FROM pg_replication_slots WHERE slot_name = 'standby1'"))
          .isEqualTo("t");
      assertThat(pg.standby().queryString("SELECT status FROM pg_stat_wal_receiver"))
          .isEqualTo("streaming");
      assertThat(pg.primary().port()).isNotEqualTo(pg.standby().port());
      pg.primary().execute("CREATE TABLE t (x int)", "INSERT INTO t VALUES (42)");
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> "42".equals(pg.standby().queryString("SELECT x::text FROM t")));
    }
    assertThat(primaryDir.getParent()).doesNotExist();
  }

  @Test
  @Timeout(60)
  void redisRunsWithItsDirectivesAndLeavesNothingBehind() throws Exception {
    Path dir;
    try (RedisServer redis =
        RedisServer.start(
            Path.of("/usr/bin/redis-server"),
            List.of("maxmemory 2mb", "maxmemory-policy allkeys-lru"))) {
      assertThat(command(redis.port(), "CONFIG GET maxmemory-policy")).contains("allkeys-lru");
      assertThat(command(redis.port(), "CONFIG GET maxmemory")).contains("2097152");
      dir = Path.of(command(redis.port(), "CONFIG GET dir").split("\r\n")[4]);
      assertThat(dir).exists();
    }
    assertThat(Files.exists(dir)).isFalse();
  }

  private static String command(int port, String inline) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // a CONFIG GET reply is an array of two bulk strings: five CRLF-terminated lines
      InputStream in = s.getInputStream();
      StringBuilder reply = new StringBuilder();
      int lines = 0;
      while (lines < 5) {
        int b = in.read();
        if (b < 0) {
          break;
        }
        reply.append((char) b);
        if (b == '\n') {
          lines++;
        }
      }
      return reply.toString();
    }
  }
}
