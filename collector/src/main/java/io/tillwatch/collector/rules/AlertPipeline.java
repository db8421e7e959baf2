package io.tillwatch.collector.rules;

import io.micrometer.core.instrument.MeterRegistry;
import io.tillwatch.alerting.AlertDelivery;
import io.tillwatch.alerting.Alertmanagers;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;

/**
 * What happens to alerts after each evaluation of a group: the alerts due go to every Alertmanager,
 * and the group's alert state is saved so that a restarted collector takes it up. Failing while
 * alert state cannot be saved.
 */
public final class AlertPipeline implements HealthCheck, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AlertPipeline.class.getName());

  private final PgStore store;
  private final Optional<Alertmanagers> alertmanagers;
  private final AlertDelivery delivery;
  private final HealthState health;

  public AlertPipeline(PgStore store, AlertingConfig config, MeterRegistry meters, Clock clock) {
    this.store = store;
    this.alertmanagers =
        config.alertmanagers().isEmpty()
            ? Optional.empty()
            : Optional.of(
                new Alertmanagers(config.alertmanagers(), config.queueCapacity(), meters));
    this.delivery =
        new AlertDelivery(
            config.resendDelay(),
            config.externalUrl(),
            config.dashboardUrl(),
            config.runbookBaseUrl());
    this.health = new HealthState(clock);
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
    synchronized (g) {
      for (Rule r : g.group().rules()) {
        if (r instanceof Rule.Alerting a) {
          AlertState state = g.alerts(a);
          alertmanagers.ifPresent(am -> am.send(delivery.due(state, time, g.interval())));
          save(g, a, state);
        }
      }
    }
  }

  private void save(RuleEngine.GroupState g, Rule.Alerting a, AlertState state) {
    try {
      store.saveAlerts(g.group().name(), a.name(), state.save());
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
