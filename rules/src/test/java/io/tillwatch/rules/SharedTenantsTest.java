package io.tillwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.promql.SeriesSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A group evaluated for some tenants only (a replica's share): other tenants' results are neither
 * written nor alerted on, and a tenant that leaves takes its alerts along without a resolve and its
 * series without a stale marker.
 */
class SharedTenantsTest {
  private static final long MINUTE = 60_000L;

  @Test
  void onlyTheTenantsGivenAreWrittenAndAlertedAndALeavingTenantIsLetGoQuietly() {
    RuleGroup g =
        RuleFileLoader.ofText()
            .load(
                Path.of("shared.yml"),
                """
                groups:
                  - name: shared
                    rules:
                      - record: tenant:x:sum
                        expr: sum by (tenant) (x)
                      - alert: XDown
                        expr: x == 0
                        risk: order_capture
                        impact: "No orders."
                """)
            .get(0);
    GroupEvaluator e = new GroupEvaluator(g, t -> null, Optional.of("platform"));
    MemorySource data = new MemorySource();
    for (String t : List.of("acme", "globex")) {
      data.add(
          Labels.of("__name__", "x", "tenant", t),
          new long[] {0, MINUTE, 2 * MINUTE},
          new double[] {0, 0, 0});
    }
    List<String> written = new ArrayList<>();
    GroupEvaluator.Sink sink =
        (series, time, value) ->
            written.add(
                series.name()
                    + "/"
                    + series.tenant()
                    + (SeriesSource.isStale(value) ? " stale" : ""));
    Set<String> mine = new java.util.HashSet<>(Set.of("acme", "globex"));
    e.evaluate(data, MINUTE, sink, mine::contains);
    Rule.Alerting down = (Rule.Alerting) g.rules().get(1);
    assertThat(e.alerts(down).alerts())
        .extracting(a -> a.labels().get("tenant"))
        .containsExactlyInAnyOrder("acme", "globex");
    // globex goes to another replica
    mine.remove("globex");
    written.clear();
    e.evaluate(data, 2 * MINUTE, sink, mine::contains);
    assertThat(e.alerts(down).alerts())
        .extracting(a -> a.labels().get("tenant"))
        .containsExactly("acme");
    assertThat(written).noneMatch(w -> w.contains("globex"));
    assertThat(written).contains("tenant:x:sum/acme").noneMatch(w -> w.endsWith("stale"));
  }
}
