package io.tillwatch.collector.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tillwatch.collector.slo.SloLedger;
import io.tillwatch.model.Durations;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.QueryLimits;
import io.tillwatch.promql.Value;
import io.tillwatch.slo.DailyCounts;
import io.tillwatch.slo.ErrorBudget;
import io.tillwatch.slo.Slo;
import io.tillwatch.slo.SloState;
import io.vertx.core.MultiMap;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The SLO endpoints: {@code /api/v1/slos} (every tenant × SLO of the caller now or {@code at}) and
 * {@code /api/v1/slos/{tenant}/{slo}/history} (the daily rollups).
 *
 * <p>Rolling windows counted at every hour are read from the series the SLO rules record (the same
 * figures Prometheus computes from the generated rules); calendar windows, business-hours SLOs and
 * SLOs with exclusions from the daily rollups, a window being the sum of its local days.
 */
final class SloAnswers {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The windows whose burn rates {@code /api/v1/slos} shows. */
  private static final List<String> BURN_WINDOWS = List.of("5m", "1h", "6h", "1d", "3d");

  /** The longest history one request reads. */
  private static final int MAX_HISTORY_DAYS = 400;

  private final SloLedger ledger;

  SloAnswers(SloLedger ledger) {
    this.ledger = ledger;
  }

  /**
   * Every SLO of the caller's tenants at {@code t}: objective, window, attained, budget left, burn
   * rates, state and the time until the budget is spent at the last hour's burn rate.
   */
  JsonNode table(TieredSource data, TenantScope scope, long t, QueryLimits limits) {
    Map<List<String>, ObjectNode> out = new TreeMap<>(Comparator.comparing(List::toString));
    Map<List<String>, Double> objective = latest(data, "slo:objective:ratio", t, limits);
    Map<List<String>, Double> days = latest(data, "slo:time_period:days", t, limits);
    Map<List<String>, Double> periodBurn = latest(data, "slo:period_burn_rate:ratio", t, limits);
    Map<List<String>, Double> state = latest(data, "tillwatch_slo_state", t, limits);
    Map<String, Map<List<String>, Double>> ratios = new LinkedHashMap<>();
    for (String w : BURN_WINDOWS) {
      ratios.put(
          w,
          latest(
              data, "max without (sloth_window) (slo:sli_error:ratio_rate" + w + ")", t, limits));
    }
    for (Map.Entry<List<String>, Value.Sample> e :
        samples(data, "tillwatch_slo_budget_remaining_ratio", t, limits).entrySet()) {
      List<String> key = e.getKey();
      double remaining = e.getValue().value();
      double o = objective.getOrDefault(key, Double.NaN);
      double budget = 1 - o;
      ObjectNode n = JSON.objectNode().put("tenant", key.get(0)).put("slo", key.get(1));
      QueryApi.number(n, "objective", o);
      n.put("window", String.valueOf(e.getValue().labels().get("window")));
      double burn = periodBurn.getOrDefault(key, Double.NaN);
      QueryApi.number(n, "attained", 1 - burn * budget);
      QueryApi.number(n, "budget_remaining", remaining);
      ObjectNode burns = n.putObject("burn_rates");
      for (String w : BURN_WINDOWS) {
        QueryApi.number(burns, w, ratios.get(w).getOrDefault(key, Double.NaN) / budget);
      }
      int code =
          state.containsKey(key) ? (int) Math.round(state.get(key)) : SloState.NO_DATA.code();
      n.put("state", SloState.values()[Math.max(0, Math.min(3, code))].label());
      double hourBurn = ratios.get("1h").getOrDefault(key, Double.NaN) / budget;
      double period = days.getOrDefault(key, Double.NaN);
      exhaustion(n, remaining, hourBurn, period);
      n.put("source", "rules");
      out.put(key, n);
    }
    // windows the rules cannot align, and windows whose samples are gone: from the rollups
    List<SloLedger.Figure> figures;
    try {
      figures = ledger.figures(scope, Instant.ofEpochMilli(t));
    } catch (SQLException e) {
      throw new IllegalStateException("reading the SLO rollups failed: " + e.getMessage(), e);
    }
    for (SloLedger.Figure f : figures) {
      List<String> key = List.of(f.tenant(), f.slo().name());
      ObjectNode n = out.get(key);
      if (n != null && !ledger.judgedFromRollups(f.slo(), f.tenant())) {
        continue;
      }
      if (n == null) {
        n = JSON.objectNode().put("tenant", f.tenant()).put("slo", f.slo().name());
        n.put("objective", f.objective());
        n.put("window", f.slo().window().text());
        ObjectNode burns = n.putObject("burn_rates");
        BURN_WINDOWS.forEach(burns::putNull);
        out.put(key, n);
      }
      ErrorBudget b = f.budget();
      QueryApi.number(n, "attained", b.attained().orElse(Double.NaN));
      QueryApi.number(n, "budget_remaining", b.remaining().orElse(Double.NaN));
      n.put("state", b.state(f.slo().atRiskBelow()).label());
      JsonNode hour = n.path("burn_rates").path("1h");
      exhaustion(
          n,
          b.remaining().orElse(Double.NaN),
          hour.isNumber() ? hour.asDouble() : Double.NaN,
          f.slo().window().nominal().toDays());
      n.put("window_start", f.firstDay().toString());
      n.put("window_end", f.lastDay().toString());
      n.put("good", f.counts().good());
      n.put("total", f.counts().total());
      n.put("source", "rollups");
    }
    ArrayNode a = JSON.arrayNode();
    out.values().forEach(a::add);
    return a;
  }

  /** The time until the budget is spent at the last hour's burn rate, or null. */
  private static void exhaustion(ObjectNode n, double remaining, double hourBurn, double days) {
    if (Double.isNaN(remaining) || Double.isNaN(days) || !(hourBurn > 0) || remaining <= 0) {
      if (remaining <= 0) {
        n.put("time_to_exhaustion_seconds", 0);
      } else {
        n.putNull("time_to_exhaustion_seconds");
      }
      return;
    }
    n.put("time_to_exhaustion_seconds", Math.round(remaining * days * 86_400 / hourBurn));
  }

  /**
   * {@code /api/v1/slos/{tenant}/{slo}/history?from=&to=&step=1d}: per step (whole days) the good
   * and total counts, the attained share and the budget the SLO's window had left at the step's
   * end.
   */
  JsonNode history(String path, MultiMap p, TenantScope scope, long now) {
    String[] parts = path.substring("/api/v1/slos/".length()).split("/");
    if (parts.length != 3 || !parts[2].equals("history")) {
      return null; // not an endpoint
    }
    String tenant = parts[0];
    String name = parts[1];
    Optional<Tenant> t = ledger.tenant(tenant);
    Slo slo =
        ledger.catalog().slos().stream()
            .filter(s -> s.name().equals(name) && s.appliesTo(tenant, t.orElse(null)))
            .findFirst()
            .orElse(null);
    if (slo == null || !scope.allows(tenant) || !slo.appliesTo(tenant, t.orElse(null))) {
      throw new QueryApi.NotFound("no SLO " + name + " for tenant " + tenant);
    }
    ZoneId zone = slo.window().zoneFor(t.map(Tenant::zone).orElse(ZoneOffset.UTC));
    double objective = t.map(x -> slo.objectiveFor(x.tier())).orElse(slo.objective());
    LocalDate to =
        day(p.get("to"), "to", zone).orElse(LocalDate.ofInstant(Instant.ofEpochMilli(now), zone));
    LocalDate from = day(p.get("from"), "from", zone).orElse(to.minusDays(27));
    int step = stepDays(p.get("step"));
    if (to.isBefore(from)) {
      throw new QueryApi.BadRequest("invalid parameter \"to\": before \"from\"");
    }
    if (from.plusDays(MAX_HISTORY_DAYS).isBefore(to)) {
      throw new QueryApi.BadRequest(
          "at most " + MAX_HISTORY_DAYS + " days of history at once, not " + from + " to " + to);
    }
    Map<LocalDate, DailyCounts.Count> days;
    try {
      days =
          ledger
              .rollups()
              .days(scope, Optional.of(tenant), Optional.of(name), from.minusDays(92), to)
              .getOrDefault(name, Map.of())
              .getOrDefault(tenant, Map.of());
    } catch (SQLException e) {
      throw new IllegalStateException("reading the SLO rollups failed: " + e.getMessage(), e);
    }
    ObjectNode out =
        JSON.objectNode()
            .put("tenant", tenant)
            .put("slo", name)
            .put("window", slo.window().text())
            .put("zone", zone.getId())
            .put("step", step + "d");
    QueryApi.number(out, "objective", objective);
    ArrayNode points = out.putArray("points");
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(step)) {
      LocalDate last = d.plusDays(step - 1).isAfter(to) ? to : d.plusDays(step - 1);
      DailyCounts.Count c = DailyCounts.sum(days, d.datesUntil(last.plusDays(1)).toList());
      ObjectNode point = points.addObject().put("from", d.toString()).put("to", last.toString());
      point.put("good", c.good()).put("total", c.total());
      if (Double.isNaN(objective)) {
        point.putNull("attained").putNull("window_budget_remaining");
        continue;
      }
      QueryApi.number(point, "attained", c.budget(objective).attained().orElse(Double.NaN));
      // the SLO's window as it stood at the end of the step's last day
      Instant end = last.plusDays(1).atStartOfDay(zone).toInstant().minusMillis(1);
      DailyCounts.Count w = DailyCounts.sum(days, DailyCounts.windowDays(slo.window(), end, zone));
      QueryApi.number(
          point, "window_budget_remaining", w.budget(objective).remaining().orElse(Double.NaN));
    }
    return out;
  }

  /** A local day: {@code 2026-12-01}, or a time (RFC 3339, Unix seconds) read in {@code zone}. */
  private static Optional<LocalDate> day(String text, String name, ZoneId zone) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(text.trim()));
    } catch (DateTimeParseException notADate) {
      return Optional.of(
          LocalDate.ofInstant(Instant.ofEpochMilli(QueryApi.time(text, name)), zone));
    }
  }

  private static int stepDays(String text) {
    if (text == null || text.isBlank()) {
      return 1;
    }
    Duration d;
    try {
      d = Durations.parse(text.trim());
    } catch (IllegalArgumentException e) {
      d = Duration.ZERO;
    }
    if (d.isZero()
        || d.toMillis() % Duration.ofDays(1).toMillis() != 0
        || d.toDays() > MAX_HISTORY_DAYS) {
      throw new QueryApi.BadRequest(
          "invalid parameter \"step\": whole days (1d, 7d), not \"" + text + "\"");
    }
    return (int) d.toDays();
  }

  /** The latest value of each (tenant, SLO) series of {@code expr} at {@code t}. */
  private static Map<List<String>, Double> latest(
      TieredSource data, String expr, long t, QueryLimits limits) {
    Map<List<String>, Double> out = new HashMap<>();
    samples(data, expr, t, limits).forEach((k, s) -> out.put(k, s.value()));
    return out;
  }

  /** The latest sample of each (tenant, SLO) series of {@code expr} at {@code t}. */
  private static Map<List<String>, Value.Sample> samples(
      TieredSource data, String expr, long t, QueryLimits limits) {
    Map<List<String>, Value.Sample> out = new HashMap<>();
    Value v =
        new Evaluator(data, Evaluator.DEFAULT_LOOKBACK_MILLIS, t, t, limits)
            .eval(io.tillwatch.promql.Parser.parse(expr), t);
    if (v instanceof Value.Vector vec) {
      for (Value.Sample s : vec.samples()) {
        String tenant = s.labels().get("tenant");
        String slo = s.labels().get("sloth_slo");
        if (tenant != null && slo != null) {
          out.put(List.of(tenant, slo), s);
        }
      }
    }
    return out;
  }
}
