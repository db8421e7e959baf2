package io.tillwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFileLoaderTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path f = dir.resolve("rules.yml");
    Files.writeString(f, yaml);
    return f;
  }

  private ConfigException error(String yaml) throws IOException {
    Path f = write(yaml);
    try {
      new RuleFileLoader(java.nio.file.Files::readString).load(f);
    } catch (ConfigException e) {
      assertThat(e.file()).isEqualTo(f);
      return e;
    }
    throw new AssertionError("no error for:\n" + yaml);
  }

  @Test
  void theDocumentedRuleWithItsBusinessFieldsLoads() throws IOException {
    List<RuleGroup> groups =
        new RuleFileLoader(java.nio.file.Files::readString)
            .load(
                write(
                    """
                    groups:
                      - name: stock-sync
                        interval: 30s
                        rules:
                          - alert: StockSyncStalled
                            expr: tillwatch_odoo_queue_oldest_age_seconds{channel=~"root.stock.*",state="pending"} > 600
                            for: 5m
                            keep_firing_for: 2m
                            labels: {severity: page}
                            annotations:
                              summary: "Stock sync of {{ $labels.tenant }} is {{ $value | humanizeDuration }} behind"
                            risk: inventory_accuracy
                            impact: "Stores may sell items that are no longer in stock."
                            during: business_hours
                            tenants: {tier: dedicated}
                          - record: tenant:odoo_orders:rate5m
                            expr: sum by (tenant, source) (rate(tillwatch_odoo_orders_total[5m]))
                    """));
    RuleGroup g = groups.get(0);
    assertThat(g.interval()).contains(Duration.ofSeconds(30));
    Rule.Alerting a = (Rule.Alerting) g.rules().get(0);
    assertThat(a.forDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(a.keepFiringFor()).isEqualTo(Duration.ofMinutes(2));
    assertThat(a.risk()).isEqualTo(Rule.Risk.INVENTORY_ACCURACY);
    assertThat(a.during()).isEqualTo(Rule.During.BUSINESS_HOURS);
    assertThat(a.tenants()).containsEntry("tier", "dedicated");
    assertThat(a.impact()).startsWith("Stores may sell");
    assertThat(g.rules().get(1)).isInstanceOf(Rule.Recording.class);
  }

  @Test
  void errorsNameTheLineTheFieldAndThePositionInTheExpression() throws IOException {
    ConfigException expr =
        error(
            """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: sum(rate(x[5m])
            """);
    assertThat(expr.line()).isEqualTo(5);
    assertThat(expr.field()).isEqualTo("groups[0].rules[0].expr");
    assertThat(expr.problem()).contains("1:16: parse error");
    ConfigException risk =
        error(
            """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: up == 0
                    risk: vibes
            """);
    assertThat(risk.field()).isEqualTo("groups[0].rules[0].risk");
    assertThat(risk.problem()).contains("inventory_accuracy");
    ConfigException during =
        error(
            """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: up == 0
                    during: lunch
            """);
    assertThat(during.problem()).contains("business_hours");
    ConfigException template =
        error(
            """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: up == 0
                    annotations:
                      summary: "{{ $value | nosuchfunction }}"
            """);
    assertThat(template.field()).isEqualTo("groups[0].rules[0].annotations.summary");
    ConfigException recordWithFor =
        error(
            """
            groups:
              - name: g
                rules:
                  - record: x:y
                    expr: up
                    for: 5m
            """);
    assertThat(recordWithFor.problem()).contains("invalid field 'for' in recording rule");
    ConfigException dup =
        error(
            """
            groups:
              - name: g
                rules: []
              - name: g
                rules: []
            """);
    assertThat(dup.line()).isEqualTo(4);
  }
}
