package io.tillwatch.collector.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.config.ConfigException;
import io.tillwatch.config.Interpolation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A careless operator's collector files: the documented one with characters changed, cut or added
 * (YAML's own among them), 5,000 times. Each loads, or fails with a {@link ConfigException} that
 * names the file and a line in it — never another exception.
 */
class ConfigFuzzTest {
  @TempDir Path dir;

  private static final String FILE =
      """
      collector:
        listen: 127.0.0.1:4318
        storage:
          url: jdbc:postgresql://db:5432/tillwatch
          user: tillwatch
          password: ${DB_PASSWORD}
          retention: 90d
        head: 3h
        evaluation_interval: 1m
        tokens:
          - token: ${AGENT_TOKEN}
            tenants: ["*"]
          - token: acme-viewer-0123456789
            tenants: [acme]
            query: {timeout: 30s, max_samples: 1000000}
        query: {timeout: 2m, max_samples: 50000000, max_concurrency: 20}
        limits:
          max_series_per_tenant: 100000
          out_of_order_window: 2h
          tenants:
            big: {max_series_per_tenant: 500000}
        own_metrics_interval: 15s
        alerting:
          alertmanagers: [http://alertmanager:9093]
          resend_delay: 1m
      """;

  private static final String SPICE = ":-[]{}\\\"'#&*!|>%@`,? \n\t0123456789abcxyz$";

  @Test
  void everyMutatedFileLoadsOrSaysWhereItIsWrong() throws Exception {
    Random r = new Random(1201);
    Interpolation in =
        new Interpolation(
            Map.of("DB_PASSWORD", "pw", "AGENT_TOKEN", "agent-token-0123456789")::get,
            Files::readString);
    int loaded = 0;
    int refused = 0;
    for (int i = 0; i < 5_000; i++) {
      StringBuilder text = new StringBuilder(FILE);
      for (int c = 1 + r.nextInt(3); c > 0; c--) {
        int at = r.nextInt(text.length());
        char x = SPICE.charAt(r.nextInt(SPICE.length()));
        switch (r.nextInt(3)) {
          case 0 -> text.setCharAt(at, x);
          case 1 -> text.deleteCharAt(at);
          default -> text.insert(at, x);
        }
      }
      Path f = dir.resolve("collector-" + i + ".yml");
      Files.writeString(f, text);
      try {
        new CollectorConfigLoader(in).load(f);
        loaded++;
      } catch (ConfigException e) {
        assertThat(e.file()).as(text.toString()).isEqualTo(f);
        assertThat(e.line())
            .as(text.toString())
            .isBetween(1, (int) text.chars().filter(ch -> ch == '\n').count() + 1);
        refused++;
      } catch (RuntimeException e) {
        throw new AssertionError("file " + i + " gave " + e + ":\n" + text, e);
      }
      Files.delete(f);
    }
    assertThat(loaded).isGreaterThan(100);
    assertThat(refused).isGreaterThan(100);
    System.out.println(
        "ConfigFuzzTest: 5000 files, "
            + loaded
            + " loaded, "
            + refused
            + " refused with a position");
  }
}
