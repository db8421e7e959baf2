package io.tillwatch.rules;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The alerts of one alerting rule, with Prometheus's lifecycle: a new result is pending, firing
 * once it has held for {@code for}, kept firing {@code keep_firing_for} after it clears, then
 * inactive (resolved) and forgotten 15 minutes later; one alert per label set.
 */
public final class AlertState {
  /** How long a resolved alert is kept, to be reported as resolved. */
  public static final Duration RESOLVED_RETENTION = Duration.ofMinutes(15);

  public enum State {
    PENDING,
    FIRING,
    INACTIVE
  }

  /** One alert. Times in ms since the epoch; 0 when not set. */
  public static final class Alert {
    private final Labels labels;
    private Map<String, String> annotations;
    private State state = State.PENDING;
    private final long activeAt;
    private long firedAt;
    private long resolvedAt;
    private long keepFiringSince;
    private double value;
    private long lastSentAt;

    Alert(Labels labels, Map<String, String> annotations, long activeAt, double value) {
      this.labels = labels;
      this.annotations = annotations;
      this.activeAt = activeAt;
      this.value = value;
    }

    public Labels labels() {
      return labels;
    }

    public Map<String, String> annotations() {
      return annotations;
    }

    public State state() {
      return state;
    }

    public long activeAt() {
      return activeAt;
    }

    public long firedAt() {
      return firedAt;
    }

    public long resolvedAt() {
      return resolvedAt;
    }

    public double value() {
      return value;
    }

    /**
     * Whether it should go to Alertmanager now (Prometheus's rule): never while pending; at once
     * when it resolved since the last send; otherwise once every {@code resendDelay}.
     */
    public boolean needsSending(long now, long resendDelayMillis) {
      if (state == State.PENDING) {
        return false;
      }
      if (resolvedAt > lastSentAt) {
        return true;
      }
      return lastSentAt + resendDelayMillis < now;
    }

    public void sentAt(long time) {
      lastSentAt = time;
    }

    public long lastSentAt() {
      return lastSentAt;
    }

    public long keepFiringSince() {
      return keepFiringSince;
    }
  }

  /** An alert as it was saved, to take up again after a restart. */
  public record Saved(
      Labels labels,
      Map<String, String> annotations,
      State state,
      long activeAt,
      long firedAt,
      long resolvedAt,
      long keepFiringSince,
      double value,
      long lastSentAt) {}

  /** What to save of every alert kept. */
  public List<Saved> save() {
    List<Saved> out = new ArrayList<>();
    for (Alert a : active.values()) {
      out.add(
          new Saved(
              a.labels,
              a.annotations,
              a.state,
              a.activeAt,
              a.firedAt,
              a.resolvedAt,
              a.keepFiringSince,
              a.value,
              a.lastSentAt));
    }
    return out;
  }

  /**
   * Takes up saved alerts: a firing one goes on firing (no new {@code for} wait, no resolve in
   * between), a pending one keeps its start, so {@code for} counts from when it began.
   */
  public void restore(List<Saved> saved) {
    for (Saved s : saved) {
      Alert a = new Alert(s.labels(), s.annotations(), s.activeAt(), s.value());
      a.state = s.state();
      a.firedAt = s.firedAt();
      a.resolvedAt = s.resolvedAt();
      a.keepFiringSince = s.keepFiringSince();
      a.lastSentAt = s.lastSentAt();
      active.put(a.labels, a);
    }
  }

  /**
   * Lets go of the alerts {@code which} selects, as they are: no resolve is sent or written
   * (another collector goes on evaluating them).
   */
  public void forget(java.util.function.Predicate<Labels> which) {
    active.keySet().removeIf(which);
  }

  private final Rule.Alerting rule;
  private final Map<Labels, Alert> active = new LinkedHashMap<>();

  public AlertState(Rule.Alerting rule) {
    this.rule = rule;
  }

  /**
   * Takes one evaluation's result at {@code time}: the rule's labels and {@code alertname} are
   * added, annotations expanded. {@code tenant} gives the {@code $tenant} fields of a label set.
   */
  public void update(
      List<Value.Sample> result, long time, Function<Labels, Map<String, String>> tenant) {
    update(result, time, tenant, q -> List.of());
  }

  /** As above; {@code query} answers the templates' {@code query} at {@code time}. */
  public void update(
      List<Value.Sample> result,
      long time,
      Function<Labels, Map<String, String>> tenant,
      Function<String, List<Value.Sample>> query) {
    Map<Labels, Alert> current = new LinkedHashMap<>();
    for (Value.Sample s : result) {
      Map<String, String> labels = new TreeMap<>(s.labels().asMap());
      labels.remove("__name__");
      Templates.Data data =
          new Templates.Data(Map.copyOf(labels), s.value(), tenant.apply(s.labels()), query);
      rule.labels().forEach((k, v) -> labels.put(k, Templates.expand(v, data)));
      labels.put("alertname", rule.name());
      if (rule.risk() != null) {
        labels.putIfAbsent("risk", rule.risk().key());
      }
      Labels lbs = Labels.of(labels);
      Map<String, String> annotations = new TreeMap<>();
      Templates.Data withRuleLabels =
          new Templates.Data(Map.copyOf(labels), s.value(), data.tenant(), query);
      rule.annotations().forEach((k, v) -> annotations.put(k, Templates.expand(v, withRuleLabels)));
      if (!rule.impact().isEmpty()) {
        annotations.putIfAbsent("impact", Templates.expand(rule.impact(), withRuleLabels));
      }
      if (current.put(lbs, new Alert(lbs, annotations, time, s.value())) != null) {
        throw new IllegalStateException(
            "vector contains metrics with the same labelset after applying alert labels");
      }
    }
    for (Alert a : current.values()) {
      Alert existing = active.get(a.labels);
      if (existing != null && existing.state != State.INACTIVE) {
        existing.value = a.value;
        existing.annotations = a.annotations;
        continue;
      }
      active.put(a.labels, a);
    }
    long keepFiringFor = rule.keepFiringFor().toMillis();
    long holdFor = rule.forDuration().toMillis();
    for (Iterator<Alert> it = active.values().iterator(); it.hasNext(); ) {
      Alert a = it.next();
      if (!current.containsKey(a.labels)) {
        boolean keepFiring = false;
        if (a.state == State.FIRING && keepFiringFor > 0) {
          if (a.keepFiringSince == 0) {
            a.keepFiringSince = time;
          }
          keepFiring = time - a.keepFiringSince < keepFiringFor;
        }
        if (a.state == State.PENDING
            || (a.resolvedAt != 0 && time - a.resolvedAt > RESOLVED_RETENTION.toMillis())) {
          it.remove();
        }
        if (a.state != State.INACTIVE && !keepFiring) {
          a.state = State.INACTIVE;
          a.resolvedAt = time;
        }
        if (!keepFiring) {
          continue;
        }
      } else {
        a.keepFiringSince = 0;
      }
      if (a.state == State.PENDING && time - a.activeAt >= holdFor) {
        a.state = State.FIRING;
        a.firedAt = time;
      }
    }
  }

  /** Forgets every alert (a rule over its group's limit). */
  public void clear() {
    active.clear();
  }

  /** Every alert known: pending, firing, and resolved ones still retained. */
  public List<Alert> alerts() {
    return new ArrayList<>(active.values());
  }

  /** The alerts in {@code state}. */
  public List<Alert> alerts(State state) {
    List<Alert> out = new ArrayList<>();
    for (Alert a : active.values()) {
      if (a.state == state) {
        out.add(a);
      }
    }
    return out;
  }

  /** {@code ALERTS{alertname, alertstate, ...} 1} of pending and firing alerts. */
  public List<Value.Sample> alertsSeries(long time) {
    return series("ALERTS", true, a -> 1, time);
  }

  /**
   * {@code ALERTS_FOR_STATE{alertname, ...}} of pending and firing alerts: the Unix second the
   * alert became active, which Prometheus keeps to restore {@code for} after a restart.
   */
  public List<Value.Sample> forStateSeries(long time) {
    return series("ALERTS_FOR_STATE", false, a -> a.activeAt / 1000.0, time);
  }

  private List<Value.Sample> series(
      String name, boolean withState, java.util.function.ToDoubleFunction<Alert> value, long time) {
    List<Value.Sample> out = new ArrayList<>();
    for (Alert a : active.values()) {
      if (a.state == State.INACTIVE) {
        continue;
      }
      Map<String, String> m = new HashMap<>(a.labels.asMap());
      m.put("__name__", name);
      if (withState) {
        m.put("alertstate", a.state == State.FIRING ? "firing" : "pending");
      }
      out.add(new Value.Sample(Labels.of(m), value.applyAsDouble(a), time));
    }
    return out;
  }

  public Rule.Alerting rule() {
    return rule;
  }
}
