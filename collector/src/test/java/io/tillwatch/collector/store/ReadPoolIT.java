package io.tillwatch.collector.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Secret;
import io.tillwatch.testkit.PostgresExtension;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Storage reads come from a bounded pool, and every statement ends at the read timeout. */
class ReadPoolIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @Test
  @Timeout(60)
  void aReadEndsAtItsTimeoutAndThePoolIsBounded() throws Exception {
    PG.createDatabase("reads");
    PostgresServer pg = PG.server();
    try (PgStore store =
        PgStore.open(
            pg.jdbcUrl("reads"),
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            Duration.ofDays(3),
            Duration.ofSeconds(1))) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> {
                try (Connection c = store.read();
                    Statement st = c.createStatement()) {
                  st.execute("SELECT pg_sleep(30)");
                }
              })
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("statement timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

      List<Connection> held = new ArrayList<>();
      try {
        for (int i = 0; i < PgStore.READ_POOL_SIZE; i++) {
          held.add(store.read());
        }
        // all taken: the next read waits its 10 s and fails instead of opening one more
        assertThatThrownBy(store::read).isInstanceOf(SQLException.class);
      } finally {
        for (Connection c : held) {
          c.close();
        }
      }
      try (Connection c = store.read();
          Statement st = c.createStatement()) {
        assertThat(st.execute("SELECT 1")).isTrue();
      }
    }
  }
}
