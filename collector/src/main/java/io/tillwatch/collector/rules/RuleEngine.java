package io.tillwatch.collector.rules;

import io.micrometer.core.instrument.MeterRegistry;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.model.Tenant;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertScope;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Evaluates rule groups over the collector's data (the head, and storage for ranges older than it,
 * as {@code offset 1w} asks), each at its interval: recording rules' results are written back as
 * series (through the write queue, so they are stored like ingested samples), alerting rules keep
 * their alerts' state. A result without a {@code tenant} label is recorded under tenant {@code
 * platform}.
 */
public final class RuleEngine implements HealthCheck {
  public static final String PLATFORM_TENANT = "platform";

  /** Evaluations of a group in a row with a failing rule before rule evaluation is failing. */
  public static final int FAILED_CYCLES_TO_FAIL = 3;

  private static final System.Logger LOG = System.getLogger(RuleEngine.class.getName());

  /** The state of one group, for the API. */
  public static final class GroupState {
    final RuleGroup group;
    final Duration interval;
    final Map<Rule.Alerting, AlertState> alerts = new LinkedHashMap<>();
    final Map<Rule, String> lastError = new ConcurrentHashMap<>();
    final Map<Rule.Alerting, Set<Series>> alertSeries = new HashMap<>();
    volatile long lastEvaluation;
    volatile double lastDurationSeconds;
    final HealthState health;

    GroupState(RuleGroup group, Duration interval, Clock clock) {
      this.group = group;
      this.interval = interval;
      this.health = new HealthState(clock, FAILED_CYCLES_TO_FAIL);
      for (Rule r : group.rules()) {
        if (r instanceof Rule.Alerting a) {
          alerts.put(a, new AlertState(a));
        }
      }
    }

    public RuleGroup group() {
      return group;
    }

    public Duration interval() {
      return interval;
    }

    public long lastEvaluation() {
      return lastEvaluation;
    }

    public double lastDurationSeconds() {
      return lastDurationSeconds;
    }

    public String lastError(Rule r) {
      return lastError.get(r);
    }

    /** The alert state of an alerting rule of this group. */
    public synchronized AlertState alerts(Rule.Alerting r) {
      return alerts.get(r);
    }
  }

  private final SeriesSource data;
  private final Predicate<SampleBatch> record;
  private final List<GroupState> groups = new ArrayList<>();
  private final MeterRegistry meters;
  private final Map<String, Tenant> tenants;
  private final Instant since;

  /**
   * @param data what expressions read: every tenant's series
   * @param record takes recorded samples (to be stored like ingested ones); false when it cannot
   * @param tenants the estate's tenants by id: time zones and hours for {@code during}, fields for
   *     {@code tenants} filters and {@code $tenant} in templates
   */
  public RuleEngine(
      List<RuleGroup> groups,
      Duration defaultInterval,
      SeriesSource data,
      Predicate<SampleBatch> record,
      MeterRegistry meters,
      Map<String, Tenant> tenants,
      Clock clock) {
    this.tenants = Map.copyOf(tenants);
    this.since = clock.instant();
    this.data = data;
    this.record = record;
    this.meters = meters;
    for (RuleGroup g : groups) {
      GroupState st = new GroupState(g, g.interval().orElse(defaultInterval), clock);
      this.groups.add(st);
      meters.gauge(
          "tillwatch.rule.group.last.duration.seconds",
          List.of(io.micrometer.core.instrument.Tag.of("rule_group", g.name())),
          st,
          s -> s.lastDurationSeconds);
    }
  }

  public List<GroupState> groups() {
    return groups;
  }

  /**
   * Failing when a group has failed {@value #FAILED_CYCLES_TO_FAIL} evaluations in a row (a rule
   * that errs, recorded samples that cannot be queued), with that group's last failure.
   */
  @Override
  public Health check() {
    Health worst = null;
    for (GroupState g : groups) {
      Health h = g.health.check();
      if (!h.ok() && (worst == null || h.since().isBefore(worst.since()))) {
        worst = h;
      }
    }
    return worst != null ? worst : Health.ok(since);
  }

  /** Evaluates one group at {@code time} (ms); blocking: call it off the event loop. */
  public void evaluate(GroupState st, long time) {
    long start = System.nanoTime();
    String failure = null;
    SampleBatch recorded = new SampleBatch();
    synchronized (st) {
      for (Rule r : st.group.rules()) {
        try {
          Value v = Evaluator.instant(data, time).eval(r.expr(), time);
          List<Value.Sample> result = samples(v, time);
          switch (r) {
            case Rule.Recording rec -> {
              for (Value.Sample s : result) {
                Map<String, String> m = new TreeMap<>(s.labels().asMap());
                m.remove("__name__");
                m.putAll(rec.labels());
                m.putIfAbsent("tenant", PLATFORM_TENANT);
                recorded.add(new Series(rec.name(), Labels.of(m)), time, s.value(), false);
              }
            }
            case Rule.Alerting a -> {
              AlertState state = st.alerts.get(a);
              state.update(
                  AlertScope.filter(a, result, Instant.ofEpochMilli(time), tenants::get),
                  time,
                  l -> tenantFields(l.get("tenant")));
              recordAlertSeries(st, state, time, recorded);
            }
          }
          st.lastError.remove(r);
        } catch (RuntimeException e) {
          st.lastError.put(r, String.valueOf(e.getMessage()));
          failure = "rule " + r.name() + " of group " + st.group.name() + ": " + e.getMessage();
          meters
              .counter("tillwatch.rule.evaluation.failures", "rule_group", st.group.name())
              .increment();
          LOG.log(
              System.Logger.Level.WARNING,
              "rule " + r.name() + " of group " + st.group.name() + ": " + e.getMessage());
        }
      }
    }
    if (recorded.size() > 0 && !record.test(recorded)) {
      meters
          .counter("tillwatch.rule.evaluation.failures", "rule_group", st.group.name())
          .increment();
      LOG.log(
          System.Logger.Level.WARNING,
          "write queue full: recorded samples of " + st.group.name() + " dropped");
      failure = "write queue full: recorded samples of " + st.group.name() + " dropped";
    }
    if (failure == null) {
      st.health.succeeded();
    } else {
      st.health.failed(failure);
    }
    st.lastEvaluation = time;
    st.lastDurationSeconds = (System.nanoTime() - start) / 1e9;
  }

  /**
   * Writes {@code ALERTS} and {@code ALERTS_FOR_STATE} of an alerting rule like Prometheus does: a
   * sample per active alert at every evaluation, and a stale marker for a series whose alert has
   * gone, so queries stop seeing it at once instead of after the 5-minute lookback.
   */
  private static void recordAlertSeries(
      GroupState st, AlertState state, long time, SampleBatch recorded) {
    Set<Series> now = new HashSet<>();
    List<Value.Sample> samples = new ArrayList<>(state.alertsSeries(time));
    samples.addAll(state.forStateSeries(time));
    for (Value.Sample s : samples) {
      Map<String, String> m = new TreeMap<>(s.labels().asMap());
      String name = m.remove("__name__");
      m.putIfAbsent("tenant", PLATFORM_TENANT);
      Series series = new Series(name, Labels.of(m));
      now.add(series);
      recorded.add(series, time, s.value(), false);
    }
    Set<Series> before = st.alertSeries.put(state.rule(), now);
    if (before != null) {
      for (Series gone : before) {
        if (!now.contains(gone)) {
          recorded.add(gone, time, Double.longBitsToDouble(SeriesSource.STALE_NAN_BITS), false);
        }
      }
    }
  }

  /** {@code $tenant.name} and friends for templates. */
  private Map<String, String> tenantFields(String id) {
    Tenant t = id == null ? null : tenants.get(id);
    if (t == null) {
      return id == null ? Map.of() : Map.of("id", id, "name", id);
    }
    return Map.of(
        "id", t.id(), "name", t.name(), "tier", t.tier().name().toLowerCase(java.util.Locale.ROOT));
  }

  private static List<Value.Sample> samples(Value v, long t) {
    return switch (v) {
      case Value.Vector vec -> vec.samples();
      case Value.Scalar s -> List.of(new Value.Sample(Labels.empty(), s.value(), t));
      default -> throw new IllegalStateException("a rule must give a vector or a scalar");
    };
  }

  /** Every alert of every group, pending and firing. */
  public List<AlertState.Alert> activeAlerts() {
    List<AlertState.Alert> out = new ArrayList<>();
    for (GroupState g : groups) {
      synchronized (g) {
        for (AlertState a : g.alerts.values()) {
          for (AlertState.Alert x : a.alerts()) {
            if (x.state() != AlertState.State.INACTIVE) {
              out.add(x);
            }
          }
        }
      }
    }
    return out;
  }
}
