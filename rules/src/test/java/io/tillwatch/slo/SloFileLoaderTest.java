package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tillwatch.config.ConfigException;
import io.tillwatch.model.Tier;
import io.tillwatch.rules.Rule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SloFileLoaderTest {
  private static final SloFileLoader LOADER =
      new SloFileLoader(
          f -> {
            throw new java.io.IOException("no files");
          });

  private static SloCatalog load(String text) {
    return LOADER.load(Path.of("slos.yml"), text);
  }

  private static ConfigException error(String text) {
    try {
      load(text);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("no error for:\n" + text);
  }

  @Test
  void readsEventAndTimesliceSlosAndExclusions() {
    SloCatalog f =
        load(
            """
            slos:
              - name: order-capture
                description: Orders from stores and web shop reach Odoo
                risk: order_capture
                impact: "Stores cannot record sales; revenue is lost or re-keyed by hand."
                objectives: {dedicated: 99.9, shared: 99.5}
                window: 28d
                budgeting: occurrences
                during: always
                min_events: 100
                tenants: {tier: dedicated}
                sli:
                  events:
                    good:  sum by (tenant) (rate(traefik_service_requests_total{code!~"5.."}[{{.window}}]))
                    total: sum by (tenant) (rate(traefik_service_requests_total[{{.window}}]))
                alerting:
                  page:   {labels: {team: shop}}
                  ticket: {disable: true}
              - name: stock-sync-freshness
                objective: 99
                window: month
                during: business_hours
                sli:
                  timeslice:
                    expr: max by (tenant) (tillwatch_odoo_queue_oldest_age_seconds{state="pending"})
                    good: '< 600'
                    slice: 1m
            exclusions:
              - tenants: [acme]
                from: 2026-12-06T22:00:00+01:00
                to:   2026-12-07T02:00:00+01:00
                reason: planned PostgreSQL upgrade
            """);
    assertThat(f.slos()).hasSize(2);
    Slo orders = f.slos().get(0);
    assertThat(orders.risk()).isEqualTo(Rule.Risk.ORDER_CAPTURE);
    assertThat(orders.objectiveFor(Tier.DEDICATED)).isCloseTo(0.999, within(1e-12));
    assertThat(orders.objectiveFor(Tier.SHARED)).isCloseTo(0.995, within(1e-12));
    assertThat(orders.window()).isEqualTo(new SloWindow.Rolling(Duration.ofDays(28)));
    assertThat(orders.minEvents()).isEqualTo(100);
    assertThat(orders.tenants()).containsEntry("tier", "dedicated");
    Slo.Events events = (Slo.Events) orders.sli();
    assertThat(events.total(Duration.ofHours(1)))
        .isEqualTo("sum by (tenant) (rate(traefik_service_requests_total[1h]))");
    assertThat(orders.alerts("page").labels()).containsEntry("team", "shop");
    assertThat(orders.alerts("page").labels()).containsEntry("severity", "page");
    assertThat(orders.alerts("ticket").enabled()).isFalse();
    Slo stock = f.slos().get(1);
    assertThat(stock.budgeting()).isEqualTo(Slo.Budgeting.TIMESLICES);
    assertThat(stock.during()).isEqualTo(Rule.During.BUSINESS_HOURS);
    assertThat(stock.window()).isEqualTo(new SloWindow.Calendar(SloWindow.Period.MONTH));
    Slo.Timeslice ts = (Slo.Timeslice) stock.sli();
    assertThat(ts.good().test(599)).isTrue();
    assertThat(ts.good().test(600)).isFalse();
    assertThat(stock.atRiskBelow()).isEqualTo(ErrorBudget.DEFAULT_AT_RISK_BELOW);
    assertThat(stock.alerts("page").enabled()).isTrue();
    Exclusion x = f.exclusions().getFirst();
    assertThat(x.appliesTo("acme")).isTrue();
    assertThat(x.appliesTo("globex")).isFalse();
    assertThat(x.period().start()).isEqualTo(Instant.parse("2026-12-06T21:00:00Z"));
    assertThat(x.period().length()).isEqualTo(Duration.ofHours(4));
  }

  private static final String SLO_HEAD =
      """
      slos:
        - name: orders
          objective: 99.5
      """;

  private static final String EVENTS =
      """
          sli:
            events:
              good: sum by (tenant) (rate(good[{{.window}}]))
              total: sum by (tenant) (rate(total[{{.window}}]))
      """;

  @Test
  void mistakesNameFileLineAndField() {
    ConfigException unknown = error(SLO_HEAD + "    objectve: 99\n" + EVENTS);
    assertThat(unknown.line()).isEqualTo(4);
    assertThat(unknown.field()).isEqualTo("slos[0].objectve");

    ConfigException percent =
        error(
            SLO_HEAD.replace("99.5", "0.995").replace("objective: 0.995", "objective: 100")
                + EVENTS);
    assertThat(percent.field()).isEqualTo("slos[0].objective");
    assertThat(percent.problem()).contains("between 0 and 100");

    ConfigException expr =
        error(SLO_HEAD + EVENTS.replace("rate(total[{{.window}}])", "rate(total[{{.window}}]"));
    assertThat(expr.field()).isEqualTo("slos[0].sli.events.total");
    assertThat(expr.problem()).startsWith("could not parse expression: 1:");

    ConfigException window = error(SLO_HEAD + "    window: fortnight\n" + EVENTS);
    assertThat(window.problem()).contains("expected week, month, quarter or days such as 28d");

    ConfigException mismatch = error(SLO_HEAD + "    budgeting: timeslices\n" + EVENTS);
    assertThat(mismatch.problem()).isEqualTo("timeslices budgeting needs an sli.timeslice");

    ConfigException comparison =
        error(
            SLO_HEAD
                + """
                    sli:
                      timeslice: {expr: 'max by (tenant) (x)', good: 'below 600'}
                """);
    assertThat(comparison.problem()).contains("is not a comparison");

    ConfigException twice = error(SLO_HEAD + EVENTS + SLO_HEAD.replace("slos:\n", "") + EVENTS);
    assertThat(twice.problem()).isEqualTo("SLO 'orders' is repeated");

    ConfigException name = error(SLO_HEAD.replace("orders", "Orders!") + EVENTS);
    assertThat(name.problem()).contains("is not an SLO name");

    ConfigException noObjective = error("slos:\n  - name: orders\n" + EVENTS);
    assertThat(noObjective.problem()).contains("needs 'objective'");

    ConfigException backwards =
        error(
            """
            exclusions:
              - from: 2026-12-07T02:00:00+01:00
                to:   2026-12-06T22:00:00+01:00
                reason: typo
            """);
    assertThat(backwards.field()).isEqualTo("exclusions[0].to");
    assertThatThrownBy(
            () ->
                load(
                    "exclusions:\n  - from: 2026-12-06 22:00\n    to: 2026-12-07T02:00:00Z\n"
                        + "    reason: x\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not a time with its offset");
  }
}
