package io.tillwatch.collector.rules;

import io.micrometer.core.instrument.MeterRegistry;
import io.tillwatch.alerting.AlertDelivery;
import io.tillwatch.alerting.Alertmanagers;
import io.tillwatch.alerting.Notification;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What happens to alerts after each evaluation of a group: the alerts due go to every Alertmanager,
 * and the group's alert state is saved so that a restarted collector takes it up. Failing while
 * alert state cannot be saved.
 */
public final class AlertPipeline implements HealthCheck, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AlertPipeline.class.getName());

  private final PgStore store;
  private final MeterRegistry meters;
  private volatile Optional<Alertmanagers> alertmanagers = Optional.empty();
  private volatile AlertDelivery delivery;
  private final HealthState health;

  public AlertPipeline(PgStore store, AlertingConfig config, MeterRegistry meters, Clock clock) {
    this.store = store;
    this.meters = meters;
    this.health = new HealthState(clock);
    reconfigure(config);
  }

  /**
   * The alerting settings of a reload: Alertmanagers that stay keep what waits for them, new ones
   * get every firing alert at its next resend, removed ones stop; links and resend delay change.
   */
  public synchronized void reconfigure(AlertingConfig config) {
    this.delivery =
        new AlertDelivery(
            config.resendDelay(),
            config.externalUrl(),
            config.dashboardUrl(),
            config.runbookBaseUrl());
    Optional<Alertmanagers> now = alertmanagers;
    if (config.alertmanagers().isEmpty()) {
      alertmanagers = Optional.empty();
      now.ifPresent(Alertmanagers::close);
    } else if (now.isPresent()) {
      now.get().reconfigure(config.alertmanagers(), config.queueCapacity());
    } else {
      alertmanagers =
          Optional.of(new Alertmanagers(config.alertmanagers(), config.queueCapacity(), meters));
    }
  }

  /** Alerts go on where they were: firing ones keep firing, pending ones keep their start. */
  public void restore(RuleEngine rules) throws SQLException {
    for (RuleEngine.GroupState g : rules.groups()) {
      for (Rule r : g.group().rules()) {
        if (r instanceof Rule.Alerting a) {
          g.alerts(a).restore(store.loadAlerts(g.group().name(), a.name()));
        }
      }
    }
  }

  /** After {@code g} was evaluated at {@code time} (ms): sends what is due, saves the state. */
  public void afterEvaluation(RuleEngine.GroupState g, long time) {
    Map<Rule.Alerting, List<AlertState.Saved>> saved = new java.util.LinkedHashMap<>();
    io.tillwatch.collector.cluster.Leases.Snapshot owned;
    synchronized (g) {
      owned = g.ownedAt;
      for (Rule r : g.group().rules()) {
        if (r instanceof Rule.Alerting a) {
          AlertState state = g.alerts(a);
          alertmanagers.ifPresent(am -> am.send(delivery.due(state, time, g.interval())));
          saved.put(a, state.save());
        }
      }
    }
    // saved outside the group's lock: a slow or absent storage never holds back sending
    saved.forEach((a, s) -> save(g, a, s, owned));
  }

  /**
   * Instead of an evaluation of {@code g} while storage cannot be written: no state changes (no
   * alert resolves for lack of data), firing alerts are re-sent as due so that Alertmanager keeps
   * them, but not the always-firing Watchdog, so that a dead man's switch notices.
   */
  public void hold(RuleEngine.GroupState g, long time) {
    synchronized (g) {
      for (Rule r : g.group().rules()) {
        if (r instanceof Rule.Alerting a && !isWatchdog(a)) {
          alertmanagers.ifPresent(am -> am.send(delivery.due(g.alerts(a), time, g.interval())));
        }
      }
    }
  }

  /** The always-firing alert whose absence says the pipeline is down ({@code vector(1)}). */
  static boolean isWatchdog(Rule.Alerting a) {
    return a.name().equals("Watchdog") || a.exprText().replace(" ", "").equals("vector(1)");
  }

  /** The name of the alert the collector sends itself while it cannot write to storage. */
  public static final String STORAGE_DOWN = "TillwatchStorageDown";

  private static final Map<String, String> STORAGE_DOWN_LABELS =
      Map.of(
          "alertname",
          STORAGE_DOWN,
          "severity",
          "page",
          "tenant",
          io.tillwatch.model.Tenant.PLATFORM,
          "risk",
          "platform_capacity");

  /**
   * Sends (again) {@value #STORAGE_DOWN} since {@code since} while storage is down, straight to
   * Alertmanager: no rule can raise it, rules are held.
   */
  public void storageDown(java.time.Instant since, long now, String reason, Duration validFor) {
    storageNotice(
        Map.of(
            "summary",
            "tillwatch cannot write to its storage: " + reason,
            "impact",
            "Alerts are held where they were and new data waits in the agents'"
                + " buffers: nothing new is seen until storage is back.",
            "runbook_url",
            delivery.runbook("docs/runbooks.md#tillwatchstoragedown")),
        since,
        now + validFor.toMillis());
  }

  /** Resolves {@value #STORAGE_DOWN} at Alertmanager: storage is back. */
  public void storageUp(java.time.Instant since, long now) {
    storageNotice(Map.of("summary", "tillwatch writes to its storage again"), since, now);
  }

  private void storageNotice(Map<String, String> annotations, java.time.Instant since, long ends) {
    alertmanagers.ifPresent(
        am ->
            am.send(
                List.of(
                    new Notification(
                        STORAGE_DOWN_LABELS,
                        annotations,
                        since,
                        java.time.Instant.ofEpochMilli(ends),
                        ""))));
  }

  private void save(
      RuleEngine.GroupState g,
      Rule.Alerting a,
      List<AlertState.Saved> state,
      io.tillwatch.collector.cluster.Leases.Snapshot owned) {
    try {
      if (owned == null) {
        store.saveAlerts(g.group().name(), a.name(), state);
      } else {
        // other replicas' tenants' rows are theirs: only this replica's are replaced
        store.saveAlerts(
            g.group().name(),
            a.name(),
            state,
            t -> owned.owns(t == null ? RuleEngine.PLATFORM_TENANT : t));
      }
      health.succeeded();
    } catch (SQLException e) {
      health.failed("cannot save alert state of " + a.name() + ": " + e.getMessage());
      LOG.log(System.Logger.Level.WARNING, "cannot save alert state: " + e.getMessage());
    }
  }

  @Override
  public Health check() {
    return health.check();
  }

  @Override
  public void close() {
    alertmanagers.ifPresent(Alertmanagers::close);
  }
}
