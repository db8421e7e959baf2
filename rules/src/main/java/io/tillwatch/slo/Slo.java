package io.tillwatch.slo;

import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.promql.Expr;
import io.tillwatch.rules.Rule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One service-level objective as an SLO file declares it, for every tenant it applies to.
 *
 * @param name {@code [a-z0-9-]+}, unique
 * @param objective the share of good events or slices to keep (0–1, exclusive), for tiers without
 *     one of their own
 * @param objectiveByTier objectives of their own per tier
 * @param minEvents below this many events in an alert's long window nothing pages
 * @param atRiskBelow budget remaining (share) below which the SLO is at risk
 * @param tenants which tenants it applies to ({@code tier} and/or {@code id}); empty: all
 * @param runbookUrl where on-call reads what to do, or empty
 * @param exceptTenants tenant filters it does not apply to: those a file's SLO of the same name
 *     takes over from a built-in one
 */
public record Slo(
    String name,
    String description,
    Rule.Risk risk,
    String impact,
    double objective,
    Map<Tier, Double> objectiveByTier,
    SloWindow window,
    Budgeting budgeting,
    Rule.During during,
    double minEvents,
    double atRiskBelow,
    Map<String, String> tenants,
    Sli sli,
    Map<String, AlertSpec> alerting,
    String runbookUrl,
    List<Map<String, String>> exceptTenants) {

  public Slo {
    Objects.requireNonNull(name, "name");
    exceptTenants = exceptTenants.stream().map(Map::copyOf).toList();
    objectiveByTier = Map.copyOf(objectiveByTier);
    tenants = Map.copyOf(tenants);
    alerting = Map.copyOf(alerting);
  }

  /** How the budget counts: events (good/total) or time slices (good/all slices). */
  public enum Budgeting {
    OCCURRENCES,
    TIMESLICES
  }

  /** This SLO without the tenants {@code filter} selects. */
  public Slo except(Map<String, String> filter) {
    List<Map<String, String>> more = new java.util.ArrayList<>(exceptTenants);
    more.add(filter);
    return new Slo(
        name,
        description,
        risk,
        impact,
        objective,
        objectiveByTier,
        window,
        budgeting,
        during,
        minEvents,
        atRiskBelow,
        tenants,
        sli,
        alerting,
        runbookUrl,
        more);
  }

  /**
   * Whether this SLO applies to tenant {@code id} ({@code t}: the estate's tenant, or null when the
   * estate does not know it, which passes a {@code tenants} filter only by its {@code id}).
   */
  public boolean appliesTo(String id, Tenant t) {
    if (!tenants.isEmpty() && !matches(tenants, id, t)) {
      return false;
    }
    for (Map<String, String> f : exceptTenants) {
      if (matches(f, id, t)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(Map<String, String> filter, String id, Tenant t) {
    if (t != null) {
      return t.matches(filter);
    }
    return filter.keySet().equals(java.util.Set.of("id")) && filter.get("id").equals(id);
  }

  /** Whether tenants are chosen by filters (its own or others' taking some over). */
  public boolean restricted() {
    return !tenants.isEmpty() || !exceptTenants.isEmpty();
  }

  /** The objective for a tenant of {@code tier}. */
  public double objectiveFor(Tier tier) {
    return objectiveByTier.getOrDefault(tier, objective);
  }

  /** What is measured. */
  public sealed interface Sli {}

  /**
   * Good and total events as rates; {@code {{.window}}} in each stands for the rate window (5m, 1h,
   * …).
   */
  public record Events(String good, String total) implements Sli {
    /** The good-events expression over {@code window}. */
    public String good(Duration window) {
      return SloTemplates.withWindow(good, window);
    }

    /** The total-events expression over {@code window}. */
    public String total(Duration window) {
      return SloTemplates.withWindow(total, window);
    }
  }

  /**
   * A slice of {@code slice} is good when {@code expr} (one series per tenant) meets {@code good}
   * through it.
   */
  public record Timeslice(String exprText, Expr expr, Comparison good, Duration slice)
      implements Sli {}

  /**
   * {@code < 600}, {@code >= 1}, …; or {@link #SHARE}: the expression's value is the good share of
   * the slice (OpenSLO's RatioTimeslices).
   */
  public record Comparison(String op, double threshold) {
    /** The value itself is the share of the slice that is good (0–1). */
    public static final Comparison SHARE = new Comparison("share", 1);

    /** How much of a slice with value {@code v} is good: 0 or 1, or the share (clamped). */
    public double good(double v) {
      if (op.equals("share")) {
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
      }
      return test(v) ? 1 : 0;
    }

    public boolean test(double v) {
      return switch (op) {
        case "<" -> v < threshold;
        case "<=" -> v <= threshold;
        case ">" -> v > threshold;
        case ">=" -> v >= threshold;
        case "==" -> v == threshold;
        case "!=" -> v != threshold;
        default -> throw new IllegalStateException(op);
      };
    }

    @Override
    public String toString() {
      return op.equals("share") ? "share" : op + " " + threshold;
    }
  }

  /**
   * The alerts of one severity ({@code page}, {@code ticket}): on unless disabled, with extra
   * labels.
   */
  public record AlertSpec(boolean enabled, Map<String, String> labels) {
    public AlertSpec {
      labels = Map.copyOf(labels);
    }
  }

  /** The alert spec of a severity; on by default. */
  public AlertSpec alerts(String severity) {
    return Optional.ofNullable(alerting.get(severity))
        .orElse(new AlertSpec(true, Map.of("severity", severity)));
  }
}
