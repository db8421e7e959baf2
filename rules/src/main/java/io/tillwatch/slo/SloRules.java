package io.tillwatch.slo;

import io.tillwatch.model.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An SLO as Prometheus rules, in Sloth's names so that dashboards and tools made for Sloth read
 * them: per tenant, the SLI's error ratio over every window the alerts use and over the SLO's
 * window ({@code slo:sli_error:ratio_rate<window>}), the objective, error budget and period ({@code
 * slo:objective:ratio}, {@code slo:error_budget:ratio}, {@code slo:time_period:days}), the burn
 * rates and the budget left ({@code slo:current_burn_rate:ratio}, {@code
 * slo:period_burn_rate:ratio}, {@code slo:period_error_budget_remaining:ratio}), and the SRE
 * Workbook's multi-window multi-burn-rate alerts. The same text runs in tillwatch's rule engine and
 * in Prometheus ({@code tillwatch slo generate}).
 *
 * <p>Occurrences: the error ratio of a window is {@code 1 - good/total} over that window (a ratio
 * of summed counts, never an average of ratios). Timeslices: the share of bad slices, each slice's
 * verdict taken at its end ({@code avg_over_time} of the 0/1 verdicts through a subquery). A
 * calendar window is written with its nominal length (week 7d, month 30d, quarter 90d): Prometheus
 * has no calendar windows; tillwatch's own status and reports align them to each tenant's zone.
 */
public final class SloRules {
  /** The windows the burn-rate alerts read. */
  static final List<Duration> ALERT_WINDOWS =
      List.of(
          Duration.ofMinutes(5),
          Duration.ofMinutes(30),
          Duration.ofHours(1),
          Duration.ofHours(2),
          Duration.ofHours(6),
          Duration.ofDays(1),
          Duration.ofDays(3));

  private SloRules() {}

  /**
   * The rule group of one SLO for {@code tenants} (empty: every tenant), with {@code objective}
   * (0–1).
   *
   * @param groupSuffix tells groups of the same SLO apart (one per tier), or empty
   * @param prometheus for Prometheus: the risk as a label, no {@code during} (business hours are
   *     tillwatch's); otherwise tillwatch's business fields
   */
  public static String group(
      Slo slo, double objective, Set<String> tenants, String groupSuffix, boolean prometheus) {
    String id = "tillwatch-" + slo.name();
    List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(tenants));
    String sel = sorted.isEmpty() ? "" : "tenant=~\"" + String.join("|", sorted) + "\"";
    String match = "sloth_id=\"" + id + "\"" + (sel.isEmpty() ? "" : ", " + sel);
    Duration period = slo.window().nominal();
    // 1 - 0.999 in decimal (0.001), not in binary floating point (9.999999999998899e-4)
    double budget =
        java.math.BigDecimal.ONE.subtract(java.math.BigDecimal.valueOf(objective)).doubleValue();
    StringBuilder y = new StringBuilder();
    y.append("  - name: ")
        .append(quote("slo-" + slo.name() + groupSuffix))
        .append("\n    rules:\n");
    Set<Duration> windows = new LinkedHashSet<>(ALERT_WINDOWS);
    windows.add(period);
    for (Duration w : windows) {
      record(
          y,
          "slo:sli_error:ratio_rate" + Durations.format(w),
          errorRatio(slo, w, sorted),
          labels(id, slo, Map.of("sloth_window", Durations.format(w))));
    }
    String anyTenant = "slo:sli_error:ratio_rate" + Durations.format(period) + "{" + match + "}";
    Map<String, String> meta = labels(id, slo, Map.of());
    record(y, "slo:objective:ratio", constant(anyTenant, objective), meta);
    record(y, "slo:error_budget:ratio", constant(anyTenant, budget), meta);
    record(y, "slo:time_period:days", constant(anyTenant, period.toDays()), meta);
    record(
        y,
        "slo:current_burn_rate:ratio",
        "max without (sloth_window) (slo:sli_error:ratio_rate5m{" + match + "}) / " + num(budget),
        meta);
    record(
        y,
        "slo:period_burn_rate:ratio",
        "max without (sloth_window) (" + anyTenant + ") / " + num(budget),
        meta);
    record(
        y,
        "slo:period_error_budget_remaining:ratio",
        "1 - slo:period_burn_rate:ratio{" + match + "}",
        meta);
    // tillwatch's own: the budget left over the window and the state, by SLO name and window
    Map<String, String> own =
        new java.util.TreeMap<>(
            labels(id, slo, Map.of("slo", slo.name(), "window", slo.window().text())));
    record(
        y,
        "tillwatch_slo_budget_remaining_ratio",
        "1 - max without (sloth_window) (" + anyTenant + ") / " + num(budget),
        own);
    String left = "tillwatch_slo_budget_remaining_ratio{" + match + "}";
    record(
        y,
        "tillwatch_slo_state",
        // 0 healthy, 1 at risk, 2 exhausted, 3 no data (NaN: no events in the window)
        "("
            + left
            + " > bool 0) * ("
            + left
            + " < bool "
            + num(slo.atRiskBelow())
            + ")"
            + " + ("
            + left
            + " <= bool 0) * 2 + ("
            + left
            + " != bool "
            + left
            + ") * 3",
        own);
    for (String severity : List.of("page", "ticket")) {
      Slo.AlertSpec spec = slo.alerts(severity);
      if (spec.enabled()) {
        alert(y, slo, severity, spec, match, period, budget, sorted, prometheus, objective);
      }
    }
    return y.toString();
  }

  /**
   * The groups of one SLO: one for every tenant, or, for objectives per tier, one per tier of
   * {@code tenantsByTier} (tenant ids by tier).
   *
   * @throws IllegalArgumentException when the SLO has objectives per tier only and no tiers are
   *     known
   */
  public static String groups(
      Slo slo, Map<io.tillwatch.model.Tier, Set<String>> tenantsByTier, boolean prometheus) {
    if (slo.objectiveByTier().isEmpty()
        || (tenantsByTier.isEmpty() && !Double.isNaN(slo.objective()))) {
      return group(slo, slo.objective(), Set.of(), "", prometheus);
    }
    if (tenantsByTier.isEmpty()) {
      throw new IllegalArgumentException(
          "SLO "
              + slo.name()
              + " has objectives per tier only: the tenants' tiers are needed (the estate file)");
    }
    StringBuilder y = new StringBuilder();
    tenantsByTier.forEach(
        (tier, ids) ->
            y.append(group(slo, slo.objectiveFor(tier), ids, "-" + tier.id(), prometheus)));
    return y.toString();
  }

  /**
   * The rule groups of a whole catalogue for the estate's {@code tenants} (by id): an SLO of every
   * tenant as {@link #groups}; one whose tenants are chosen by filters for the tenants it applies
   * to, a group per tier.
   *
   * @throws IllegalArgumentException when the tenants of a filter are needed and the estate is
   *     empty
   */
  public static String catalogGroups(
      SloCatalog catalog, Map<String, io.tillwatch.model.Tenant> tenants, boolean prometheus) {
    Map<io.tillwatch.model.Tier, Set<String>> byTier =
        new java.util.EnumMap<>(io.tillwatch.model.Tier.class);
    tenants
        .values()
        .forEach(t -> byTier.computeIfAbsent(t.tier(), k -> new java.util.TreeSet<>()).add(t.id()));
    StringBuilder y = new StringBuilder();
    for (Slo slo : catalog.slos()) {
      if (!slo.restricted()) {
        y.append(groups(slo, byTier, prometheus));
        continue;
      }
      String suffix =
          slo.tenants().isEmpty()
              ? "-others"
              : "-" + String.join("-", new java.util.TreeMap<>(slo.tenants()).values());
      if (tenants.isEmpty()) {
        String id = slo.tenants().get("id");
        if (slo.exceptTenants().isEmpty() && slo.tenants().size() == 1 && id != null) {
          y.append(group(slo, slo.objective(), Set.of(id), suffix, prometheus));
          continue;
        }
        throw new IllegalArgumentException(
            "SLO "
                + slo.name()
                + " applies to tenants chosen by tier or taken over by another SLO: the"
                + " tenants are needed (the estate file)");
      }
      Map<io.tillwatch.model.Tier, Set<String>> mine =
          new java.util.EnumMap<>(io.tillwatch.model.Tier.class);
      tenants.forEach(
          (id, t) -> {
            if (slo.appliesTo(id, t)) {
              mine.computeIfAbsent(t.tier(), k -> new java.util.TreeSet<>()).add(id);
            }
          });
      mine.forEach(
          (tier, ids) -> {
            double objective = slo.objectiveFor(tier);
            if (!Double.isNaN(objective)) {
              y.append(group(slo, objective, ids, suffix + "-" + tier.id(), prometheus));
            }
          });
    }
    return y.toString();
  }

  /**
   * A whole rule file for Prometheus: every SLO with its default objective for every tenant (an SLO
   * with objectives per tier only needs the tenants of each tier: {@link #group}).
   */
  public static String prometheusFile(List<Slo> slos) {
    StringBuilder y = new StringBuilder("groups:\n");
    for (Slo s : slos) {
      if (!Double.isNaN(s.objective())) {
        y.append(group(s, s.objective(), Set.of(), "", true));
      }
    }
    return y.toString();
  }

  private static void alert(
      StringBuilder y,
      Slo slo,
      String severity,
      Slo.AlertSpec spec,
      String match,
      Duration period,
      double budget,
      List<String> sorted,
      boolean prometheus,
      double objective) {
    List<String> conditions = new ArrayList<>();
    for (BurnRateAlert a : BurnRateAlert.forWindow(period)) {
      if (!a.severity().equals(severity)) {
        continue;
      }
      // each side is a burn rate, so that the alert's value is the long window's burn rate
      String cond =
          "(max without (sloth_window) (slo:sli_error:ratio_rate"
              + Durations.format(a.longWindow())
              + "{"
              + match
              + "}) / "
              + num(budget)
              + " > "
              + num(a.factor())
              + ") and (max without (sloth_window) (slo:sli_error:ratio_rate"
              + Durations.format(a.shortWindow())
              + "{"
              + match
              + "}) / "
              + num(budget)
              + " > "
              + num(a.factor())
              + ")";
      if (slo.minEvents() > 0) {
        // a quiet night's few failures never page: enough events in the long window first
        cond +=
            " and on (tenant) ("
                + events(slo, a.longWindow(), sorted)
                + " >= "
                + num(slo.minEvents())
                + ")";
      }
      conditions.add("(" + cond + ")");
    }
    String name = alertName(slo.name());
    y.append("      - alert: ").append(name).append('\n');
    y.append("        expr: ").append(quote(String.join(" or ", conditions))).append('\n');
    y.append("        labels:\n");
    Map<String, String> labels = new java.util.TreeMap<>(spec.labels());
    labels.put("slo", slo.name());
    if (prometheus && slo.risk() != null) {
      labels.put("risk", slo.risk().key());
    }
    labels.forEach(
        (k, v) -> y.append("          ").append(k).append(": ").append(quote(v)).append('\n'));
    y.append("        annotations:\n");
    y.append("          summary: ")
        .append(
            quote(
                "{{ $labels.tenant }}: "
                    + slo.name()
                    + " is burning its error budget fast ("
                    + severity
                    + ")"))
        .append('\n');
    y.append("          description: ")
        .append(
            quote(
                "{{ $labels.tenant }} is spending the "
                    + slo.name()
                    + " error budget {{ $value | printf \"%.1f\" }} times as fast as the "
                    + java.math.BigDecimal.valueOf(objective)
                        .movePointRight(2)
                        .stripTrailingZeros()
                        .toPlainString()
                    + " % objective allows over "
                    + slo.window().text()))
        .append('\n');
    y.append("          burn_rate: ").append(quote("{{ $value | printf \"%.2f\" }}")).append('\n');
    // the budget left over the SLO's window and the time until it is spent at the last hour's
    // burn rate, read by the template's query when the alert is evaluated
    String one = "sloth_id=\\\"tillwatch-" + slo.name() + "\\\", tenant=\\\"%s\\\"";
    String left = "tillwatch_slo_budget_remaining_ratio{" + one + "}";
    String hour = "max without (sloth_window) (slo:sli_error:ratio_rate1h{" + one + "})";
    y.append("          budget_remaining: ")
        .append(
            quote(
                "{{ with printf \""
                    + left
                    + "\" $labels.tenant | query }}{{ . | first | value | humanizePercentage }}"
                    + "{{ else }}unknown{{ end }}"))
        .append('\n');
    y.append("          time_to_exhaustion: ")
        .append(
            quote(
                "{{ with printf \"clamp_min(max without (slo, window) ("
                    + left
                    + "), 0) * "
                    + period.toSeconds()
                    + " / ("
                    + hour
                    + " / "
                    + num(budget)
                    + ") and "
                    + hour
                    + " > 0\" $labels.tenant $labels.tenant $labels.tenant | query }}"
                    + "{{ . | first | value | humanizeDuration }}"
                    + "{{ else }}none at the last hour's burn rate{{ end }}"))
        .append('\n');
    if (!slo.impact().isEmpty()) {
      y.append("          impact: ").append(quote(slo.impact())).append('\n');
    }
    if (!slo.runbookUrl().isEmpty()) {
      y.append("          runbook_url: ").append(quote(slo.runbookUrl())).append('\n');
    }
    if (!prometheus && slo.risk() != null) {
      y.append("        risk: ").append(slo.risk().key()).append('\n');
    }
    if (!prometheus && slo.during() != io.tillwatch.rules.Rule.During.ALWAYS) {
      y.append("        during: ").append(slo.during().key()).append('\n');
    }
  }

  /** {@code order-capture} → {@code OrderCaptureSLOBurnRate}. */
  static String alertName(String slo) {
    StringBuilder b = new StringBuilder();
    for (String part : slo.split("-")) {
      if (!part.isEmpty()) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return b + "SLOBurnRate";
  }

  /** The error ratio over {@code w}, per tenant. */
  private static String errorRatio(Slo slo, Duration w, List<String> sel) {
    return switch (slo.sli()) {
      case Slo.Events e ->
          "1 - ((" + filtered(e.good(w), sel) + ") / (" + filtered(e.total(w), sel) + "))";
      case Slo.Timeslice t when t.good().equals(Slo.Comparison.SHARE) ->
          "1 - avg_over_time(clamp("
              + filtered(t.exprText(), sel)
              + ", 0, 1)["
              + Durations.format(w)
              + ":"
              + Durations.format(t.slice())
              + "])";
      case Slo.Timeslice t ->
          "1 - avg_over_time(("
              + filtered(t.exprText(), sel)
              + " "
              + t.good().op()
              + " bool "
              + num(t.good().threshold())
              + ")["
              + Durations.format(w)
              + ":"
              + Durations.format(t.slice())
              + "])";
    };
  }

  /** Events (or slices) in {@code w}: the total rate times the window's seconds. */
  private static String events(Slo slo, Duration w, List<String> sel) {
    return switch (slo.sli()) {
      case Slo.Events e -> "(" + filtered(e.total(w), sel) + ") * " + w.toSeconds();
      case Slo.Timeslice t ->
          "count_over_time(("
              + filtered(t.exprText(), sel)
              + ")["
              + Durations.format(w)
              + ":"
              + Durations.format(t.slice())
              + "])";
    };
  }

  /**
   * The expression limited to the selected tenants ({@code and on (tenant)} a vector of them), so
   * that any expression, not only a bare selector, is filtered the same way.
   */
  private static String filtered(String expr, List<String> tenants) {
    if (tenants.isEmpty()) {
      return expr;
    }
    List<String> each = new ArrayList<>();
    for (String t : tenants) {
      each.add("label_replace(vector(1), \"tenant\", \"" + t + "\", \"\", \"\")");
    }
    return "(" + expr + ") and on (tenant) (" + String.join(" or ", each) + ")";
  }

  /** A number per tenant that has the SLI (also while it has no traffic). */
  private static String constant(String anyTenant, double v) {
    return "0 * count without (sloth_window) (" + anyTenant + ") + " + num(v);
  }

  private static Map<String, String> labels(String id, Slo slo, Map<String, String> more) {
    Map<String, String> m = new java.util.TreeMap<>(more);
    m.put("sloth_id", id);
    m.put("sloth_service", "tillwatch");
    m.put("sloth_slo", slo.name());
    return m;
  }

  private static void record(
      StringBuilder y, String name, String expr, Map<String, String> labels) {
    y.append("      - record: ").append(name).append('\n');
    y.append("        expr: ").append(quote(expr)).append('\n');
    y.append("        labels:\n");
    labels.forEach(
        (k, v) -> y.append("          ").append(k).append(": ").append(quote(v)).append('\n'));
  }

  static String num(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v).toLowerCase(Locale.ROOT);
  }

  /** A YAML single-quoted scalar. */
  private static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
