package io.tillwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Parser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The conventions Grafana's dashboard linter enforces, and ours: a templated data source
 * everywhere, a unit and a plain-words description on every panel, {@code $__rate_interval} in
 * rates, counters only inside aggregated rates, stable uids, read-only, every panel in the README.
 */
class DashboardLintTest {
  private static final String DS = "${datasource}";
  private static final Pattern RANGE_FN =
      Pattern.compile("\\b(rate|irate|increase)\\(([^\\[\\]]*)\\[([^\\]]+)\\]");

  @Test
  void fiveDashboardsWithStableUidsReadOnlyAndATemplatedDataSource() {
    List<Path> files = Dashboards.files();
    assertThat(files)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "estate-overview.json",
            "platform-health.json",
            "slo-detail.json",
            "tenant.json",
            "tillwatch.json");
    Set<String> uids = new HashSet<>();
    for (Path f : files) {
      JsonNode d = Dashboards.read(f);
      String uid = d.path("uid").asText();
      assertThat(uid).as(f.toString()).startsWith("tillwatch-");
      assertThat(uids.add(uid)).as("unique uid " + uid).isTrue();
      assertThat(d.path("editable").asBoolean(true)).as(f + " editable").isFalse();
      assertThat(d.path("schemaVersion").asInt()).as(f.toString()).isGreaterThanOrEqualTo(36);
      assertThat(d.path("description").asText()).as(f.toString()).isNotBlank();
      JsonNode vars = d.path("templating").path("list");
      JsonNode ds = vars.get(0);
      assertThat(ds.path("name").asText()).isEqualTo("datasource");
      assertThat(ds.path("type").asText()).isEqualTo("datasource");
      assertThat(ds.path("query").asText()).isEqualTo("prometheus");
      boolean hasTenant = false;
      for (JsonNode v : vars) {
        if (v.path("type").asText().equals("query")) {
          assertThat(v.path("datasource").path("uid").asText()).as(f + " " + v).isEqualTo(DS);
          hasTenant |= v.path("name").asText().equals("tenant");
        }
      }
      assertThat(hasTenant).as(f + " has a tenant variable").isTrue();
      for (JsonNode a : d.path("annotations").path("list")) {
        if (a.path("target").has("expr")) {
          assertThat(a.path("datasource").path("uid").asText()).as(f + " annotation").isEqualTo(DS);
        }
      }
    }
  }

  @Test
  void everyPanelHasTheTemplatedDataSourceAUnitAndADescription() {
    int panels = 0;
    for (Path f : Dashboards.files()) {
      for (JsonNode p : Dashboards.read(f).path("panels")) {
        panels++;
        String at = f.getFileName() + " / " + p.path("title").asText();
        assertThat(p.path("title").asText()).as(at).isNotBlank();
        assertThat(p.path("description").asText()).as(at).isNotBlank();
        assertThat(p.path("datasource").path("uid").asText()).as(at).isEqualTo(DS);
        assertThat(p.path("fieldConfig").path("defaults").path("unit").asText())
            .as(at)
            .isNotBlank();
        assertThat(p.path("targets")).as(at).isNotEmpty();
        for (JsonNode t : p.path("targets")) {
          assertThat(t.path("datasource").path("uid").asText()).as(at).isEqualTo(DS);
          assertThat(t.path("expr").asText()).as(at).isNotBlank();
        }
      }
    }
    assertThat(panels).isGreaterThanOrEqualTo(40);
  }

  @Test
  void ratesUseTheRateIntervalAndCountersAreOnlyReadAsAggregatedRates() {
    for (Dashboards.Query q : Dashboards.queries()) {
      Matcher m = RANGE_FN.matcher(q.expr());
      while (m.find()) {
        String range = m.group(3);
        if (m.group(1).equals("increase")) {
          // a business count over the panel's range ("orders today") is an increase too
          assertThat(range).as(q.name()).isIn("$__rate_interval", "$__range");
        } else {
          assertThat(range).as(q.name()).isEqualTo("$__rate_interval");
        }
      }
      Expr e =
          Parser.parse(
              Dashboards.Range.SIX_HOURS.expand(
                  q.expr(),
                  Map.of("tenant", "acme", "slo", "order-capture"),
                  Dashboards.Range.SIX_HOURS.length()));
      check(e, false, false, q.name());
    }
  }

  /** Counters appear under a rate-like call; rate-like calls appear under an aggregation. */
  private static void check(Expr e, boolean underRate, boolean underAggregate, String at) {
    switch (e) {
      case Expr.VectorSelector v -> {
        if (v.name() != null
            && (v.name().endsWith("_total")
                || v.name().endsWith("_bucket")
                || v.name().endsWith("_count"))) {
          assertThat(underRate).as(at + ": counter " + v.name() + " read without a rate").isTrue();
        }
      }
      case Expr.MatrixSelector m -> check(m.selector(), underRate, underAggregate, at);
      case Expr.Subquery s -> check(s.expr(), underRate, underAggregate, at);
      case Expr.Call c -> {
        String name = c.function().name();
        boolean rate = name.equals("rate") || name.equals("irate") || name.equals("increase");
        if (rate) {
          assertThat(underAggregate).as(at + ": " + name + " not aggregated").isTrue();
        }
        for (Expr a : c.args()) {
          check(a, underRate || rate, underAggregate, at);
        }
      }
      case Expr.Aggregate a -> check(a.expr(), underRate, true, at);
      case Expr.Binary b -> {
        check(b.lhs(), underRate, underAggregate, at);
        check(b.rhs(), underRate, underAggregate, at);
      }
      case Expr.Negation n -> check(n.expr(), underRate, underAggregate, at);
      case Expr.Paren p -> check(p.expr(), underRate, underAggregate, at);
      default -> {}
    }
  }

  @Test
  void theReadmeListsEveryDashboardAndPanel() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    for (Path f : Dashboards.files()) {
      JsonNode d = Dashboards.read(f);
      assertThat(readme).as(f.toString()).contains("`grafana/" + f.getFileName() + "`");
      for (JsonNode p : d.path("panels")) {
        assertThat(readme)
            .as(p.path("title").asText())
            .contains("| " + p.path("title").asText() + " |");
      }
    }
  }
}
