package io.tillwatch.slo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.rules.RulePacks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SloCatalogTest {
  private static final SloCatalog BUILTIN =
      new SloFileLoader(Files::readString)
          .load(Path.of(RulePacks.BUILTIN_SLOS_NAME), RulePacks.builtinSlos());

  private static Tenant tenant(String id, Tier tier) {
    return new Tenant(id, id, tier, ZoneId.of("Europe/Berlin"), BusinessHours.always());
  }

  private static final Map<String, Tenant> ESTATE =
      Map.of(
          "acme", tenant("acme", Tier.DEDICATED),
          "globex", tenant("globex", Tier.SHARED),
          "initech", tenant("initech", Tier.SHARED));

  @Test
  void theBuiltinCatalogueHasItsSixSlosEachWithRiskImpactAndRunbook() {
    assertThat(BUILTIN.slos())
        .extracting(Slo::name)
        .containsExactly(
            "order-capture",
            "checkout-latency",
            "stock-sync-freshness",
            "recovery-readiness",
            "store-continuity",
            "order-intake-continuity");
    for (Slo s : BUILTIN.slos()) {
      assertThat(s.risk()).as(s.name()).isNotNull();
      assertThat(s.impact()).as(s.name()).isNotBlank();
      assertThat(s.runbookUrl()).as(s.name()).startsWith("docs/runbooks.md#slo-" + s.name());
    }
    Slo orders = BUILTIN.slos().getFirst();
    assertThat(orders.objectiveFor(Tier.DEDICATED)).isEqualTo(0.999);
    assertThat(orders.objectiveFor(Tier.SHARED)).isEqualTo(0.995);
    assertThat(BUILTIN.slos().getLast().during()).isEqualTo(Rule.During.BUSINESS_HOURS);
  }

  @Test
  void everyRunbookSectionTheCatalogueNamesExists() throws Exception {
    String runbooks = Files.readString(Path.of("../docs/runbooks.md"));
    for (Slo s : BUILTIN.slos()) {
      assertThat(runbooks).as(s.name()).contains("\n## slo-" + s.name() + "\n");
    }
  }

  @Test
  void aFileSloOfABuiltinNameTakesOverTheTenantsItSelects() {
    SloCatalog file =
        new SloFileLoader(Files::readString)
            .load(
                Path.of("mine.yml"),
                """
                slos:
                  - name: order-capture
                    objective: 99.99
                    tenants: {id: acme}
                    sli:
                      events:
                        good: sum by (tenant) (rate(requests_total{code!~"5.."}[{{.window}}]))
                        total: sum by (tenant) (rate(requests_total[{{.window}}]))
                  - name: stock-sync-freshness
                    objective: 95
                    sli:
                      timeslice: {expr: 'max by (tenant) (x)', good: '< 60', slice: 1m}
                """);
    SloCatalog all = file.over(BUILTIN);
    // the built-in stock-sync SLO is replaced for everyone; order capture only for acme
    assertThat(all.slos().stream().filter(s -> s.name().equals("stock-sync-freshness")))
        .singleElement()
        .extracting(Slo::objective)
        .isEqualTo(0.95);
    List<Slo> orders = all.slos().stream().filter(s -> s.name().equals("order-capture")).toList();
    assertThat(orders).hasSize(2);
    Slo builtin = orders.get(0);
    Slo acmes = orders.get(1);
    assertThat(builtin.appliesTo("acme", ESTATE.get("acme"))).isFalse();
    assertThat(builtin.appliesTo("globex", ESTATE.get("globex"))).isTrue();
    assertThat(acmes.appliesTo("acme", ESTATE.get("acme"))).isTrue();
    assertThat(acmes.appliesTo("globex", ESTATE.get("globex"))).isFalse();

    // the rules: acme's own group, the built-in's for the shared tier without acme
    List<RuleGroup> groups =
        RuleFileLoader.ofText()
            .load(Path.of("slo rules"), "groups:\n" + SloRules.catalogGroups(all, ESTATE, false));
    List<String> names = groups.stream().map(RuleGroup::name).toList();
    assertThat(names)
        .contains("slo-order-capture-others-shared", "slo-order-capture-acme-dedicated")
        .doesNotContain("slo-order-capture-others-dedicated");
    RuleGroup shared =
        groups.stream()
            .filter(g -> g.name().equals("slo-order-capture-others-shared"))
            .findFirst()
            .orElseThrow();
    assertThat(shared.rules().getFirst().exprText())
        .contains("\"tenant\", \"globex\"", "\"tenant\", \"initech\"")
        .doesNotContain("\"acme\"");
    // without an estate the filters cannot be resolved: a clear error, not every tenant
    assertThatThrownBy(() -> SloRules.catalogGroups(all, Map.of(), false))
        .hasMessageContaining("order-capture")
        .hasMessageContaining("estate");
  }
}
