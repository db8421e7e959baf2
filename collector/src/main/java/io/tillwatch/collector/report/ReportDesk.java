package io.tillwatch.collector.report;

import io.tillwatch.alerting.report.IsoWeek;
import io.tillwatch.alerting.report.RenderedReport;
import io.tillwatch.alerting.report.ReportBrand;
import io.tillwatch.alerting.report.ReportFonts;
import io.tillwatch.alerting.report.ReportMailer;
import io.tillwatch.alerting.report.ReportRenderer;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.ReportsConfig;
import io.tillwatch.collector.slo.SloLedger;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.SloRollups;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.TenantScope;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.slo.SloCatalog;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * One report on demand, from a collector's storage, beside a running collector: what {@code
 * tillwatch report} renders to files and, with {@code --send}, mails now (no claim: an explicit
 * send is the operator's).
 */
public final class ReportDesk implements AutoCloseable {
  private final PgStore store;
  private final ReportFacts facts;
  private final ReportRenderer renderer;
  private final CollectorConfig config;

  private ReportDesk(PgStore store, ReportFacts facts, ReportRenderer renderer, CollectorConfig c) {
    this.store = store;
    this.facts = facts;
    this.renderer = renderer;
    this.config = c;
  }

  /** Opens storage at {@code url} (no migration beyond what a collector does). */
  public static ReportDesk open(
      CollectorConfig c,
      String url,
      String user,
      Secret password,
      List<RuleGroup> groups,
      SloCatalog slos,
      Map<String, Tenant> tenants,
      Clock clock)
      throws SQLException {
    PgStore store =
        PgStore.open(
            url,
            user,
            password,
            c.storage().retention(),
            c.query().timeout(),
            c.storage().layout());
    io.tillwatch.promql.SeriesSource data =
        c.storage()
            .remote()
            .<io.tillwatch.collector.store.SampleStorage>map(
                r ->
                    new io.tillwatch.collector.remote.PrometheusApiStorage(
                        r, store.knownTenants(tenants.keySet())))
            .orElseGet(() -> io.tillwatch.collector.store.SampleStorage.of(store))
            .source(TenantScope.all());
    SloLedger ledger =
        new SloLedger(slos, tenants, new SloRollups(store), data, c.storage().retention(), clock);
    ledger.excludeMaintenance(
        new io.tillwatch.collector.events.MaintenanceExclusions(
            new io.tillwatch.collector.store.EventLog(store), c.events()));
    ReportBrand brand =
        c.reports().weekly().map(ReportsConfig.Weekly::brand).orElse(ReportBrand.DEFAULT);
    return new ReportDesk(
        store,
        new ReportFacts(
            ledger, data, groups, new io.tillwatch.collector.store.EventLog(store), clock),
        new ReportRenderer(brand, ReportFonts.system()),
        c);
  }

  /** Renders {@code subject}'s report of {@code week} (a tenant id or {@code estate}). */
  public RenderedReport render(String subject, IsoWeek week) throws SQLException {
    return renderer.render(
        facts.report(
            subject,
            week,
            config
                .reports()
                .weekly()
                .map(ReportsConfig.Weekly::estateZone)
                .orElse(ZoneOffset.UTC)));
  }

  /**
   * Mails {@code r} to {@code subject}'s recipients now.
   *
   * @throws IllegalStateException when the file configures no weekly report or no recipients
   */
  public void send(String subject, IsoWeek week, RenderedReport r, Instant now)
      throws ReportMailer.SendException {
    ReportsConfig.Weekly w =
        config
            .reports()
            .weekly()
            .orElseThrow(() -> new IllegalStateException("the file has no reports.weekly"));
    List<String> to = w.recipients().get(subject);
    if (to == null) {
      throw new IllegalStateException(
          "reports.weekly.recipients names no addresses for " + subject);
    }
    new ReportMailer(w.smtp())
        .send(r, to, WeeklyReports.messageId(w.smtp(), subject, week + ".manual"), now);
  }

  @Override
  public void close() {
    store.close();
  }
}
