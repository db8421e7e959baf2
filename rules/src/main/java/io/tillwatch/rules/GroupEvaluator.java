package io.tillwatch.rules;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.model.Tenant;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.LayeredSource;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.promql.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Evaluates one rule group as Prometheus's rules manager does, for the collector and for {@code
 * tillwatch rules test} alike: its rules in order, each seeing what the rules before it recorded at
 * the same timestamp; recording rules' series and {@code ALERTS} / {@code ALERTS_FOR_STATE} written
 * out, with a stale marker for every series a rule produced last time and no longer does; alerts
 * through their lifecycle ({@code for}, {@code keep_firing_for}) within the business fields' scope
 * ({@code during}, {@code tenants}); the group's {@code limit}. A failing rule does not stop the
 * rules after it. Not thread-safe: one evaluation of a group at a time.
 */
public final class GroupEvaluator {
  /** Takes what an evaluation writes: recorded samples, alert series, stale markers. */
  @FunctionalInterface
  public interface Sink {
    void accept(Series series, long time, double value);
  }

  /**
   * One evaluation's outcome.
   *
   * @param errors the rules that failed, with why; empty when every rule succeeded
   */
  public record Outcome(Map<Rule, String> errors) {
    public Outcome {
      errors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public boolean ok() {
      return errors.isEmpty();
    }
  }

  /** Every tenant: a collector on its own, or promtool's semantics. */
  private static final java.util.function.Predicate<String> ALL_TENANTS = tenant -> true;

  private static final double STALE = Double.longBitsToDouble(SeriesSource.STALE_NAN_BITS);

  private final RuleGroup group;
  private final Function<String, Tenant> tenants;
  private final Optional<String> defaultTenant;
  private final Map<Rule.Alerting, AlertState> alerts = new LinkedHashMap<>();
  private final Map<Rule, Set<Series>> lastWritten = new HashMap<>();
  private final List<io.tillwatch.promql.Expr> exprs = new ArrayList<>();
  private final Set<String> recordedNames = new HashSet<>();

  /**
   * @param tenants the estate's tenants by id (time zones and hours for {@code during}, fields for
   *     {@code tenants} filters and {@code $tenant}); an unknown id gives {@code null}
   * @param defaultTenant the {@code tenant} label given to written series without one (the
   *     collector stores every series under a tenant); empty: none added (promtool's semantics)
   */
  public GroupEvaluator(
      RuleGroup group, Function<String, Tenant> tenants, Optional<String> defaultTenant) {
    this.group = group;
    this.tenants = tenants;
    this.defaultTenant = defaultTenant;
    for (Rule r : group.rules()) {
      exprs.add(r.expr());
      switch (r) {
        case Rule.Alerting a -> {
          alerts.put(a, new AlertState(a));
          recordedNames.add("ALERTS");
          recordedNames.add("ALERTS_FOR_STATE");
        }
        case Rule.Recording rec -> recordedNames.add(rec.name());
      }
    }
  }

  public RuleGroup group() {
    return group;
  }

  /** The alert state of one of the group's alerting rules. */
  public AlertState alerts(Rule.Alerting rule) {
    return alerts.get(rule);
  }

  /** Every alerting rule's state, in the group's order. */
  public Map<Rule.Alerting, AlertState> alerts() {
    return java.util.Collections.unmodifiableMap(alerts);
  }

  /** Evaluates every rule at {@code time} (ms) over {@code data}, writing to {@code sink}. */
  public Outcome evaluate(SeriesSource data, long time, Sink sink) {
    return evaluate(data, time, sink, ALL_TENANTS);
  }

  /**
   * As above, for the tenants {@code mine} accepts only (a series without a {@code tenant} label
   * counts as the default tenant's): what the rules give for other tenants is neither written nor
   * alerted on, their alerts are let go without a resolve and their series get no stale marker —
   * another collector evaluates them.
   */
  public Outcome evaluate(
      SeriesSource data, long time, Sink sink, java.util.function.Predicate<String> mine) {
    if (mine != ALL_TENANTS) {
      for (AlertState state : alerts.values()) {
        state.forget(labels -> !mine.test(tenantOf(labels)));
      }
    }
    MemorySource recorded = new MemorySource();
    // every selector of the group read once a cycle (a 28-day SLO window is read once, not by
    // each rule), but for the metrics the group records, which are read as they are written
    SeriesSource view =
        new LayeredSource(
            io.tillwatch.promql.PrefetchSource.of(
                data, exprs, time, Evaluator.DEFAULT_LOOKBACK_MILLIS, recordedNames),
            recorded);
    Map<Rule, String> errors = new LinkedHashMap<>();
    for (Rule r : group.rules()) {
      List<Value.Sample> out;
      try {
        // each selector read once for the whole rule, subqueries' steps included (one storage
        // query a selector instead of one a step)
        List<Value.Sample> result =
            samples(
                Evaluator.instant(
                        io.tillwatch.promql.PrefetchSource.of(
                            view, r.expr(), time, time, Evaluator.DEFAULT_LOOKBACK_MILLIS),
                        time)
                    .eval(r.expr(), time),
                time);
        if (mine != ALL_TENANTS) {
          result = result.stream().filter(s -> mine.test(tenantOf(s.labels()))).toList();
        }
        out =
            switch (r) {
              case Rule.Recording rec -> record(rec, result);
              case Rule.Alerting a -> alert(a, result, time, view);
            };
      } catch (RuntimeException e) {
        errors.put(r, String.valueOf(e.getMessage()));
        continue;
      }
      Set<Series> now = new HashSet<>();
      for (Value.Sample s : out) {
        Series series = series(s.labels());
        now.add(series);
        write(series, time, s.value(), recorded, sink);
      }
      Set<Series> before = lastWritten.put(r, now);
      if (before != null) {
        for (Series gone : before) {
          if (!now.contains(gone) && mine.test(gone.tenant())) {
            write(gone, time, STALE, recorded, sink);
          }
        }
      }
    }
    return new Outcome(errors);
  }

  private List<Value.Sample> record(Rule.Recording rec, List<Value.Sample> result) {
    if (group.limit() > 0 && result.size() > group.limit()) {
      throw new IllegalStateException(
          "exceeded limit of " + group.limit() + " with " + result.size() + " series");
    }
    List<Value.Sample> out = new ArrayList<>(result.size());
    for (Value.Sample s : result) {
      Map<String, String> m = new TreeMap<>(s.labels().asMap());
      m.putAll(rec.labels());
      m.put("__name__", rec.name());
      out.add(new Value.Sample(Labels.of(m), s.value(), s.time()));
    }
    return out;
  }

  private List<Value.Sample> alert(
      Rule.Alerting a, List<Value.Sample> result, long time, SeriesSource view) {
    AlertState state = alerts.get(a);
    state.update(
        AlertScope.filter(a, result, Instant.ofEpochMilli(time), tenants),
        time,
        l -> tenantFields(l.get("tenant")),
        // the templates' query: an instant query at the evaluation's time, as Prometheus's
        q ->
            samples(
                Evaluator.instant(view, time).eval(io.tillwatch.promql.Parser.parse(q), time),
                time));
    List<Value.Sample> out = new ArrayList<>(state.alertsSeries(time));
    if (group.limit() > 0 && out.size() > group.limit()) {
      int active = out.size();
      state.clear();
      throw new IllegalStateException(
          "exceeded limit of " + group.limit() + " with " + active + " alerts");
    }
    out.addAll(state.forStateSeries(time));
    return out;
  }

  /** The tenant a result or alert belongs to: its {@code tenant} label, else the default. */
  private String tenantOf(Labels labels) {
    String t = labels.get("tenant");
    return t != null ? t : defaultTenant.orElse("");
  }

  private Series series(Labels withName) {
    Map<String, String> m = new TreeMap<>(withName.asMap());
    String name = m.remove("__name__");
    defaultTenant.ifPresent(t -> m.putIfAbsent("tenant", t));
    return new Series(name, Labels.of(m));
  }

  private static void write(Series s, long time, double value, MemorySource recorded, Sink sink) {
    Map<String, String> m = new TreeMap<>(s.labels().asMap());
    m.put("__name__", s.name());
    recorded.append(Labels.of(m), time, value);
    sink.accept(s, time, value);
  }

  /** {@code $tenant.name} and friends for templates. */
  private Map<String, String> tenantFields(String id) {
    Tenant t = id == null ? null : tenants.apply(id);
    if (t == null) {
      return id == null ? Map.of() : Map.of("id", id, "name", id);
    }
    return Map.of("id", t.id(), "name", t.name(), "tier", t.tier().name().toLowerCase(Locale.ROOT));
  }

  private static List<Value.Sample> samples(Value v, long t) {
    return switch (v) {
      case Value.Vector vec -> vec.samples();
      case Value.Scalar s -> List.of(new Value.Sample(Labels.empty(), s.value(), t));
      default -> throw new IllegalStateException("rule result must be a vector or scalar");
    };
  }
}
