package io.tillwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertScopeTest {
  private static final Tenant ACME =
      new Tenant(
          "acme",
          "ACME",
          Tier.DEDICATED,
          ZoneId.of("Europe/Berlin"),
          BusinessHours.parse("Mon-Sat 08:00-22:00"));
  private static final Tenant KIWI =
      new Tenant(
          "kiwi",
          "Kiwi",
          Tier.SHARED,
          ZoneId.of("Pacific/Auckland"),
          BusinessHours.parse("Mon-Sat 08:00-22:00"));
  private static final Map<String, Tenant> DIR = Map.of("acme", ACME, "kiwi", KIWI);

  private static Rule.Alerting rule(Rule.During during, Map<String, String> tenants) {
    return new Rule.Alerting(
        "OrdersStopped",
        "x == 0",
        Parser.parse("x == 0"),
        Duration.ofMinutes(5),
        Duration.ZERO,
        Map.of(),
        Map.of(),
        Rule.Risk.ORDER_CAPTURE,
        "",
        during,
        tenants);
  }

  private static List<Value.Sample> three() {
    return List.of(
        new Value.Sample(Labels.of("tenant", "acme"), 0, 0),
        new Value.Sample(Labels.of("tenant", "kiwi"), 0, 0),
        new Value.Sample(Labels.of("tenant", "ghost"), 0, 0));
  }

  private static List<String> kept(Rule.Alerting r, Instant t) {
    return AlertScope.filter(r, three(), t, DIR::get).stream()
        .map(x -> x.labels().get("tenant"))
        .toList();
  }

  @Test
  void businessHoursAreEachTenantsOwnInItsTimeZone() {
    // Wednesday 2026-11-25 09:00 UTC: 10:00 in Berlin (open), 22:00 in Auckland (closed)
    Instant t = Instant.parse("2026-11-25T09:00:00Z");
    // an unknown tenant's hours cannot be judged: it may fire
    assertThat(kept(rule(Rule.During.BUSINESS_HOURS, Map.of()), t))
        .containsExactly("acme", "ghost");
    assertThat(kept(rule(Rule.During.OUTSIDE_BUSINESS_HOURS, Map.of()), t))
        .containsExactly("kiwi", "ghost");
    Instant sunday = Instant.parse("2026-11-29T12:00:00Z");
    assertThat(kept(rule(Rule.During.BUSINESS_HOURS, Map.of()), sunday)).containsExactly("ghost");
    assertThat(kept(rule(Rule.During.ALWAYS, Map.of()), sunday)).hasSize(3);
  }

  @Test
  void tenantFiltersMatchTheTenantsFields() {
    Instant t = Instant.parse("2026-11-25T09:00:00Z");
    assertThat(kept(rule(Rule.During.ALWAYS, Map.of("tier", "dedicated")), t))
        .containsExactly("acme");
    assertThat(kept(rule(Rule.During.ALWAYS, Map.of("id", "kiwi")), t)).containsExactly("kiwi");
  }

  @Test
  void anAlertOutsideTheHoursStartsOverAndResolves() {
    Rule.Alerting r = rule(Rule.During.BUSINESS_HOURS, Map.of());
    AlertState state = new AlertState(r);
    List<Value.Sample> acme = List.of(new Value.Sample(Labels.of("tenant", "acme"), 0, 0));
    // Wednesday 20:50 to 21:10 Berlin (UTC+1): firing after 5 minutes, resolved at 22:00 local
    Instant start = Instant.parse("2026-11-25T19:50:00Z");
    for (int m = 0; m <= 20; m++) {
      Instant t = start.plusSeconds(60L * m);
      state.update(AlertScope.filter(r, acme, t, DIR::get), t.toEpochMilli(), l -> Map.of());
    }
    assertThat(state.alerts(AlertState.State.FIRING)).hasSize(1);
    for (int m = 21; m <= 80; m++) {
      Instant t = start.plusSeconds(60L * m);
      state.update(AlertScope.filter(r, acme, t, DIR::get), t.toEpochMilli(), l -> Map.of());
    }
    assertThat(state.alerts(AlertState.State.FIRING)).isEmpty();
    assertThat(state.alerts(AlertState.State.INACTIVE)).hasSize(1);
    assertThat(state.alerts(AlertState.State.INACTIVE).get(0).resolvedAt())
        .isEqualTo(Instant.parse("2026-11-25T21:00:00Z").toEpochMilli());
  }
}
