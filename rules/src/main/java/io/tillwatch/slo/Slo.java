package io.tillwatch.slo;

import io.tillwatch.model.Tier;
import io.tillwatch.promql.Expr;
import io.tillwatch.rules.Rule;
import java.time.Duration;
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
    Map<String, AlertSpec> alerting) {

  public Slo {
    Objects.requireNonNull(name, "name");
    objectiveByTier = Map.copyOf(objectiveByTier);
    tenants = Map.copyOf(tenants);
    alerting = Map.copyOf(alerting);
  }

  /** How the budget counts: events (good/total) or time slices (good/all slices). */
  public enum Budgeting {
    OCCURRENCES,
    TIMESLICES
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

  /** {@code < 600}, {@code >= 1}, … */
  public record Comparison(String op, double threshold) {
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
      return op + " " + threshold;
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
