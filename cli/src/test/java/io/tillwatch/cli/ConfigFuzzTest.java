package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.collector.config.CollectorConfigLoader;
import io.tillwatch.config.ConfigException;
import io.tillwatch.config.Interpolation;
import io.tillwatch.rules.RuleTestFileLoader;
import io.tillwatch.rules.RuleTests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A careless operator's files: the documented collector file, an estate file and a promtool-style
 * rule test file, each with characters changed, cut or added (YAML's own among them), thousands of
 * times. Each loads (a test file also runs, passing or failing), or fails with a {@link
 * ConfigException} that names the file and a line in it — never another exception.
 */
class ConfigFuzzTest {
  @TempDir Path dir;

  private static final String COLLECTOR =
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

  private static final String ESTATE =
      """
      agent:
        listen: 127.0.0.1:9464
        interval: 15s
        timeout: 5s
        push:
          url: http://127.0.0.1:4318/v1/metrics
          token: ${AGENT_TOKEN}
          buffer: 64MB
      tenants:
        - id: acme
          name: ACME Retail
          tier: dedicated
          timezone: Europe/Berlin
          business_hours: Mon-Sat 08:00-22:00
          targets:
            - type: postgres
              name: acme-primary
              url: jdbc:postgresql://10.0.0.5:5432/postgres
              user: monitor
              password: ${DB_PASSWORD}
              heartbeat: true
              interval: 15s
            - type: postgres
              name: acme-standby
              url: jdbc:postgresql://10.0.0.6:5432/postgres
              user: monitor
              password: ${DB_PASSWORD}
              primary: acme-primary
            - type: redis
              name: acme-sessions
              url: redis://10.0.0.7:6379
            - type: traefik
              name: acme-ingress
              url: http://traefik:8080/metrics
              services: ["odoo-acme-.*@kubernetes"]
            - type: odoo
              name: acme-odoo
              url: jdbc:postgresql://10.0.0.5:5432/odoo
              user: monitor
              password: ${DB_PASSWORD}
            - type: pgbackrest
              name: acme-backups
              stanza: acme
        - id: bistro-chain
          tier: shared
          timezone: America/New_York
          targets: []
      """;

  private static final String RULES =
      """
      groups:
        - name: shop
          rules:
            - record: tenant:orders:rate5m
              expr: sum by (tenant) (rate(orders_total[5m]))
            - alert: NoOrders
              expr: tenant:orders:rate5m == 0
              for: 5m
              labels: {severity: page}
              annotations: {summary: "{{ $labels.tenant }} takes no orders"}
      """;

  private static final String RULE_TEST =
      """
      rule_files: [rules.yml]
      evaluation_interval: 1m
      tests:
        - interval: 1m
          input_series:
            - series: 'orders_total{tenant="acme"}'
              values: '0+10x5 50x10'
          alert_rule_test:
            - eval_time: 16m
              alertname: NoOrders
              exp_alerts:
                - exp_labels: {severity: page, tenant: acme}
                  exp_annotations: {summary: "acme takes no orders"}
          promql_expr_test:
            - expr: tenant:orders:rate5m
              eval_time: 4m
              exp_samples:
                - labels: 'tenant:orders:rate5m{tenant="acme"}'
                  value: 0.13333333333333333
      """;

  private static final String SPICE = ":-[]{}\\\"'#&*!|>%@`,? \n\t0123456789abcxyz$";

  private static final Interpolation ENV =
      new Interpolation(
          Map.of("DB_PASSWORD", "pw", "AGENT_TOKEN", "agent-token-0123456789")::get,
          Files::readString);

  /** What a loader does with a file; throws what it throws. */
  private interface Load {
    void apply(Path file) throws Exception;
  }

  /**
   * Mutates {@code text} {@code times} times (seed fixed), writes each as {@code name} and loads
   * it; returns {loaded, refused}.
   */
  private int[] fuzz(String text, String name, int times, long seed, Load load) throws Exception {
    Random r = new Random(seed);
    int loaded = 0;
    int refused = 0;
    Path f = dir.resolve(name);
    for (int i = 0; i < times; i++) {
      StringBuilder t = new StringBuilder(text);
      for (int c = 1 + r.nextInt(3); c > 0; c--) {
        int at = r.nextInt(t.length());
        char x = SPICE.charAt(r.nextInt(SPICE.length()));
        switch (r.nextInt(3)) {
          case 0 -> t.setCharAt(at, x);
          case 1 -> t.deleteCharAt(at);
          default -> t.insert(at, x);
        }
      }
      Files.writeString(f, t);
      try {
        load.apply(f);
        loaded++;
      } catch (ConfigException e) {
        assertThat(e.file()).as(t.toString()).isEqualTo(f);
        assertThat(e.line())
            .as(t.toString())
            .isBetween(1, (int) t.chars().filter(ch -> ch == '\n').count() + 1);
        refused++;
      } catch (Exception | Error e) {
        throw new AssertionError(name + " " + i + " gave " + e + ":\n" + t, e);
      }
    }
    assertThat(loaded).as("%s loaded", name).isGreaterThan(times / 50);
    assertThat(refused).as("%s refused", name).isGreaterThan(times / 50);
    System.out.printf(
        "ConfigFuzzTest: %d %s files, %d loaded, %d refused with a position%n",
        times, name, loaded, refused);
    return new int[] {loaded, refused};
  }

  @Test
  void everyMutatedCollectorFileLoadsOrSaysWhereItIsWrong() throws Exception {
    fuzz(COLLECTOR, "collector.yml", 5_000, 1201, f -> new CollectorConfigLoader(ENV).load(f));
  }

  @Test
  void everyMutatedEstateFileLoadsOrSaysWhereItIsWrong() throws Exception {
    fuzz(ESTATE, "estate.yml", 5_000, 1202, f -> new EstateConfigLoader(ENV).load(f));
  }

  @Test
  void everyMutatedRuleTestFileLoadsAndRunsOrSaysWhereItIsWrong() throws Exception {
    Files.writeString(dir.resolve("rules.yml"), RULES);
    // the file as written passes: the mutations are what fails
    assertThat(RuleTests.run(new RuleTestFileLoader(Files::readString).load(write("base.yml"))))
        .isEmpty();
    fuzz(
        RULE_TEST,
        "rules.test.yml",
        2_000,
        1203,
        f -> RuleTests.run(new RuleTestFileLoader(Files::readString).load(f)));
  }

  private Path write(String name) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, RULE_TEST);
    return f;
  }
}
