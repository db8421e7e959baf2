package io.tillwatch.collector.rules;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import io.tillwatch.model.Tenant;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.GroupEvaluator;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * Runs rule groups over the collector's data (the head, and storage for ranges older than it, as
 * {@code offset 1w} asks), each at its interval, through the same {@link GroupEvaluator} as {@code
 * tillwatch rules test}: what a group writes (recorded series, {@code ALERTS}, {@code
 * ALERTS_FOR_STATE}, stale markers) goes through the write queue, so it is stored like ingested
 * samples. A series without a {@code tenant} label is recorded under tenant {@code platform}.
 */
public final class RuleEngine implements HealthCheck {
  public static final String PLATFORM_TENANT = io.tillwatch.model.Tenant.PLATFORM;

  /** Evaluations of a group in a row with a failing rule before rule evaluation is failing. */
  public static final int FAILED_CYCLES_TO_FAIL = 3;

  private static final System.Logger LOG = System.getLogger(RuleEngine.class.getName());

  /** The state of one group, for the API. */
  public static final class GroupState {
    final GroupEvaluator evaluator;
    final Duration interval;
    final Map<Rule, String> lastError = new ConcurrentHashMap<>();
    final HealthState health;
    final AtomicBoolean running = new AtomicBoolean();
    final Counter missed;
    final Counter failures;
    volatile long lastEvaluation;
    volatile double lastDurationSeconds;

    /** The ownership the group was last evaluated under (replicas), null before the first. */
    io.tillwatch.collector.cluster.Leases.Snapshot ownedAt;

    GroupState(GroupEvaluator evaluator, Duration interval, Clock clock, MeterRegistry meters) {
      this.evaluator = evaluator;
      this.interval = interval;
      this.health = new HealthState(clock, FAILED_CYCLES_TO_FAIL);
      String name = evaluator.group().name();
      this.missed =
          Counter.builder("tillwatch.rule.group.iterations.missed")
              .description("Evaluations skipped because the group's previous one still ran.")
              .tag("rule_group", name)
              .register(meters);
      this.failures =
          Counter.builder("tillwatch.rule.evaluation.failures")
              .tag("rule_group", name)
              .register(meters);
      this.duration =
          io.micrometer.core.instrument.Gauge.builder(
                  "tillwatch.rule.group.last.duration.seconds", this, s -> s.lastDurationSeconds)
              .tags(List.of(Tag.of("rule_group", name)))
              .register(meters);
    }

    final io.micrometer.core.instrument.Gauge duration;

    public RuleGroup group() {
      return evaluator.group();
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

    /** The rule's last error, or {@code null} when its last evaluation succeeded. */
    public String lastError(Rule r) {
      return lastError.get(r);
    }

    /** The alert state of an alerting rule of this group. */
    public synchronized AlertState alerts(Rule.Alerting r) {
      return evaluator.alerts(r);
    }
  }

  private final SeriesSource data;
  private final Predicate<SampleBatch> record;
  // replaced whole by a reload; read by any thread
  private volatile List<GroupState> groups;
  private final Instant since;
  private final Duration defaultInterval;
  private final Map<String, Tenant> estate;
  private final MeterRegistry meters;
  private final Clock clock;

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
    this.estate = Map.copyOf(tenants);
    this.data = data;
    this.record = record;
    this.since = clock.instant();
    this.defaultInterval = defaultInterval;
    this.meters = meters;
    this.clock = clock;
    this.groups = groups.stream().map(this::state).toList();
  }

  private GroupState state(RuleGroup g) {
    GroupEvaluator evaluator = new GroupEvaluator(g, estate::get, Optional.of(PLATFORM_TENANT));
    return new GroupState(evaluator, g.interval().orElse(defaultInterval), clock, meters);
  }

  /**
   * Makes {@code next} the groups evaluated (a reload). The alerts of an alerting rule of the same
   * group and name go on where they were — a firing alert stays firing, a pending one keeps its
   * wait — and rules no longer there stop (Alertmanager lets their alerts expire). The new states
   * are returned; evaluations of the old ones still running finish on their own.
   */
  public List<GroupState> replaceGroups(List<RuleGroup> next) {
    Map<String, GroupState> before = new java.util.HashMap<>();
    for (GroupState g : groups) {
      before.put(g.group().name(), g);
    }
    List<GroupState> out = new ArrayList<>();
    for (RuleGroup g : next) {
      GroupState old = before.remove(g.name());
      if (old != null) {
        meters.remove(old.duration);
      }
      GroupState now = state(g);
      if (old != null) {
        synchronized (old) {
          for (Rule r : g.rules()) {
            if (r instanceof Rule.Alerting a) {
              for (Rule o : old.group().rules()) {
                if (o instanceof Rule.Alerting oa && oa.name().equals(a.name())) {
                  now.evaluator.alerts(a).restore(old.evaluator.alerts(oa).save());
                }
              }
            }
          }
          now.ownedAt = old.ownedAt;
        }
      }
      out.add(now);
    }
    before.values().forEach(g -> meters.remove(g.duration));
    groups = List.copyOf(out);
    return groups;
  }

  public List<GroupState> groups() {
    return groups;
  }

  /** Where a group's saved alerts come from, when tenants come to this replica. */
  @FunctionalInterface
  public interface SavedAlerts {
    List<io.tillwatch.rules.AlertState.Saved> load(String group, String alertname)
        throws java.sql.SQLException;
  }

  private volatile java.util.function.Supplier<io.tillwatch.collector.cluster.Leases.Snapshot>
      ownership;
  private volatile java.util.function.Function<
          io.tillwatch.collector.cluster.Leases.Snapshot, SeriesSource>
      scopedData;
  private volatile SavedAlerts saved;

  /**
   * Replicas: each group is evaluated for the tenants {@code ownership} gives this replica now
   * (series without a tenant count as the platform tenant's), over {@code scopedData} of those
   * tenants; when tenants come, their alerts are taken up from {@code saved} (firing goes on
   * firing), when they go, their alerts are let go without a resolve.
   */
  public void shareTenants(
      java.util.function.Supplier<io.tillwatch.collector.cluster.Leases.Snapshot> ownership,
      java.util.function.Function<io.tillwatch.collector.cluster.Leases.Snapshot, SeriesSource>
          scopedData,
      SavedAlerts saved) {
    this.saved = saved;
    this.scopedData = scopedData;
    this.ownership = ownership;
  }

  /** The tenants a group was last evaluated for, under replicas (null: all, or not yet). */
  public io.tillwatch.collector.cluster.Leases.Snapshot ownedAt(GroupState st) {
    return st.ownedAt;
  }

  /** Takes up the saved alerts of the tenants that came to this replica since {@code st} ran. */
  private void takeUp(GroupState st, io.tillwatch.collector.cluster.Leases.Snapshot now) {
    io.tillwatch.collector.cluster.Leases.Snapshot before = st.ownedAt;
    for (Rule r : st.group().rules()) {
      if (r instanceof Rule.Alerting a) {
        List<io.tillwatch.rules.AlertState.Saved> came = new ArrayList<>();
        try {
          for (io.tillwatch.rules.AlertState.Saved x : saved.load(st.group().name(), a.name())) {
            String t = tenantOf(x.labels());
            if (now.owns(t) && (before == null || !before.owns(t))) {
              came.add(x);
            }
          }
        } catch (java.sql.SQLException e) {
          throw new IllegalStateException("loading alert state: " + e.getMessage(), e);
        }
        st.evaluator.alerts(a).restore(came);
      }
    }
  }

  private static String tenantOf(io.tillwatch.model.Labels labels) {
    String t = labels.get("tenant");
    return t == null ? PLATFORM_TENANT : t;
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

  /**
   * Evaluates one group at {@code time} (ms) unless its previous evaluation still runs: then this
   * one is skipped and counted ({@code tillwatch_rule_group_iterations_missed_total}), never queued
   * behind it. Blocking: call it off the event loop. False when skipped.
   */
  public boolean evaluateUnlessRunning(GroupState st, long time, Runnable after) {
    if (!st.running.compareAndSet(false, true)) {
      st.missed.increment();
      return false;
    }
    try {
      evaluate(st, time);
      after.run();
      return true;
    } finally {
      st.running.set(false);
    }
  }

  /** Evaluates one group at {@code time} (ms); blocking: call it off the event loop. */
  public void evaluate(GroupState st, long time) {
    long start = System.nanoTime();
    SampleBatch recorded = new SampleBatch();
    GroupEvaluator.Outcome outcome;
    var shared = ownership;
    synchronized (st) {
      if (shared == null) {
        outcome =
            st.evaluator.evaluate(
                data, time, (series, t, value) -> recorded.add(series, t, value, false));
      } else {
        io.tillwatch.collector.cluster.Leases.Snapshot now = shared.get();
        if (st.ownedAt == null || st.ownedAt.version() != now.version()) {
          st.evaluator.alerts().values().forEach(s -> s.forget(l -> !now.owns(tenantOf(l))));
          takeUp(st, now);
          st.ownedAt = now;
        }
        outcome =
            st.evaluator.evaluate(
                scopedData.apply(now),
                time,
                (series, t, value) -> recorded.add(series, t, value, false),
                now::owns);
      }
    }
    String failure = null;
    for (Rule r : st.group().rules()) {
      String error = outcome.errors().get(r);
      if (error == null) {
        st.lastError.remove(r);
        continue;
      }
      st.lastError.put(r, error);
      st.failures.increment();
      failure = "rule " + r.name() + " of group " + st.group().name() + ": " + error;
      LOG.log(System.Logger.Level.WARNING, failure);
    }
    if (recorded.size() > 0 && !record.test(recorded)) {
      st.failures.increment();
      failure = "write queue full: recorded samples of " + st.group().name() + " dropped";
      LOG.log(System.Logger.Level.WARNING, failure);
    }
    if (failure == null) {
      st.health.succeeded();
    } else {
      st.health.failed(failure);
    }
    st.lastEvaluation = time;
    st.lastDurationSeconds = (System.nanoTime() - start) / 1e9;
  }

  /** Every alert of every group, pending and firing. */
  public List<AlertState.Alert> activeAlerts() {
    List<AlertState.Alert> out = new ArrayList<>();
    for (GroupState g : groups) {
      synchronized (g) {
        for (AlertState a : g.evaluator.alerts().values()) {
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
