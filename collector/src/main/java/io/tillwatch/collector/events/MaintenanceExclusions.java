package io.tillwatch.collector.events;

import io.tillwatch.calendar.Interval;
import io.tillwatch.collector.config.EventsConfig;
import io.tillwatch.collector.slo.SloLedger;
import io.tillwatch.collector.store.EventLog;
import io.tillwatch.slo.Exclusion;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The maintenance events with a duration of the tenants whose policy ({@code
 * events.maintenance_excludes_slos}) lets them out of SLOs, as exclusions.
 */
public final class MaintenanceExclusions implements SloLedger.MaintenanceWindows {
  /** Maintenance windows one count takes into account at most. */
  static final int MAX_WINDOWS = 10_000;

  private final EventLog log;
  private final EventsConfig config;

  public MaintenanceExclusions(EventLog log, EventsConfig config) {
    this.log = log;
    this.config = config;
  }

  @Override
  public boolean mayExclude(String tenant) {
    return config.maintenanceExcludes(tenant);
  }

  @Override
  public List<Exclusion> between(Instant from, Instant to) throws SQLException {
    if (config.maintenanceExcludesSlos().isEmpty()) {
      return List.of();
    }
    List<Exclusion> out = new ArrayList<>();
    for (Event e : log.list(from, to, null, Optional.of(Event.Type.MAINTENANCE), MAX_WINDOWS)) {
      if (e.end().isPresent() && config.maintenanceExcludes(e.tenant())) {
        out.add(
            new Exclusion(
                Set.of(e.tenant()),
                new Interval(e.at(), e.end().get()),
                "maintenance" + (e.text().isEmpty() ? "" : ": " + e.text())));
      }
    }
    return out;
  }
}
