package io.tillwatch.collector.report;

import io.tillwatch.alerting.report.IsoWeek;
import io.tillwatch.alerting.report.WeeklyReport;
import io.tillwatch.collector.slo.SloLedger;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.TenantScope;
import io.tillwatch.model.Tier;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.slo.DailyCounts;
import io.tillwatch.slo.ErrorBudget;
import io.tillwatch.slo.Exclusion;
import io.tillwatch.slo.Slo;
import io.tillwatch.slo.SloWindow;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gathers a week's report from the collector: SLO figures from the daily rollups (the same sums
 * {@code /api/v1/slos} and the history API answer), incidents from the stored {@code ALERTS}
 * series, business signals and recovery readiness from the agents' metrics.
 */
public final class ReportFacts {
  /** How many weeks the attained-per-week chart shows. */
  static final int WEEKS_SHOWN = 13;

  private static final long STEP = Duration.ofMinutes(1).toMillis();

  private final SloLedger ledger;
  private final ReportQueries queries;
  private final Map<String, Rule.Alerting> alertRules = new HashMap<>();
  private final Clock clock;
  private final io.tillwatch.collector.store.EventLog events;

  /** Facts without releases or announced maintenance. */
  public ReportFacts(SloLedger ledger, SeriesSource data, List<RuleGroup> groups, Clock clock) {
    this(ledger, data, groups, null, clock);
  }

  /**
   * @param events the releases (with the release guard's verdicts) and maintenance windows; null:
   *     none
   */
  public ReportFacts(
      SloLedger ledger,
      SeriesSource data,
      List<RuleGroup> groups,
      io.tillwatch.collector.store.EventLog events,
      Clock clock) {
    this.events = events;
    this.ledger = ledger;
    this.queries = new ReportQueries(data);
    this.clock = clock;
    for (RuleGroup g : groups) {
      for (Rule r : g.rules()) {
        if (r instanceof Rule.Alerting a) {
          alertRules.putIfAbsent(a.name(), a);
        }
      }
    }
  }

  /** The zone a tenant's weeks are read in: its own, or UTC when the estate does not know it. */
  public ZoneId zone(String tenant) {
    return ledger.tenant(tenant).map(Tenant::zone).orElse(ZoneOffset.UTC);
  }

  /** Every tenant a report may be made for: the estate's, and those with SLO rollups. */
  public TreeSet<String> tenants(IsoWeek week) throws SQLException {
    TreeSet<String> out = new TreeSet<>(ledger.tenants().keySet());
    LocalDate to = week.sunday().plusDays(1);
    ledger
        .rollups()
        .days(TenantScope.all(), Optional.empty(), Optional.empty(), week.monday().minusDays(1), to)
        .values()
        .forEach(byTenant -> out.addAll(byTenant.keySet()));
    return out;
  }

  /** The report of {@code subject}: a tenant's, or the estate's summary in {@code estateZone}. */
  public WeeklyReport report(String subject, IsoWeek week, ZoneId estateZone) throws SQLException {
    return WeeklyReport.ESTATE.equals(subject) ? estate(week, estateZone) : tenant(subject, week);
  }

  /** One tenant's report of {@code week} (its days in the tenant's zone). */
  public WeeklyReport tenant(String id, IsoWeek week) throws SQLException {
    ZoneId zone = zone(id);
    Map<String, Map<LocalDate, DailyCounts.Count>> days =
        days(Optional.of(id), week).getOrDefault(id, Map.of());
    List<WeeklyReport.Incident> incidents = incidents(Optional.of(id), week, zone);
    List<WeeklyReport.SloLine> lines = lines(id, week, zone, days, incidents);
    Instant start = week.start(zone);
    Instant end = week.end(zone);
    List<WeeklyReport.Maintenance> maintenance = new ArrayList<>();
    for (Exclusion e : ledger.catalog().exclusions()) {
      if (e.appliesTo(id) && e.period().start().isBefore(end) && e.period().end().isAfter(start)) {
        maintenance.add(
            new WeeklyReport.Maintenance(e.reason(), e.period().start(), e.period().end()));
      }
    }
    for (io.tillwatch.collector.events.Event e :
        events(Set.of(id), io.tillwatch.collector.events.Event.Type.MAINTENANCE, start, end)) {
      if (e.end().isPresent() && ledger.maintenanceExcludes(id)) {
        maintenance.add(
            new WeeklyReport.Maintenance(
                e.text().isEmpty() ? "announced maintenance" : e.text(), e.at(), e.end().get()));
      }
    }
    return new WeeklyReport(
        id,
        ledger.tenant(id).map(Tenant::name).orElse(id),
        week,
        zone,
        clock.instant(),
        lines,
        incidents,
        maintenance,
        Optional.of(signals(id, week, zone)),
        List.of(),
        releases(Set.of(id), start, end));
  }

  /** The releases of {@code tenants} (null: every tenant) in {@code [from, to)}, oldest first. */
  private List<WeeklyReport.Release> releases(Set<String> tenants, Instant from, Instant to)
      throws SQLException {
    List<WeeklyReport.Release> out = new ArrayList<>();
    for (io.tillwatch.collector.events.Event e :
        events(tenants, io.tillwatch.collector.events.Event.Type.DEPLOY, from, to)) {
      out.add(
          new WeeklyReport.Release(
              e.tenant(),
              e.service(),
              e.version(),
              e.at(),
              e.verdict().map(io.tillwatch.collector.events.Event.Verdict::healthy),
              e.verdict().map(io.tillwatch.collector.events.Event.Verdict::text).orElse("")));
    }
    return out;
  }

  private List<io.tillwatch.collector.events.Event> events(
      Set<String> tenants, io.tillwatch.collector.events.Event.Type type, Instant from, Instant to)
      throws SQLException {
    if (events == null) {
      return List.of();
    }
    return events.list(from, to.minusMillis(1), tenants, Optional.of(type), MAX_RELEASES);
  }

  /** Releases (or maintenance windows) a report lists at most. */
  static final int MAX_RELEASES = 1_000;

  /** The estate's report of {@code week}: every tenant's SLOs, each in the tenant's zone. */
  public WeeklyReport estate(IsoWeek week, ZoneId estateZone) throws SQLException {
    Map<String, Map<String, Map<LocalDate, DailyCounts.Count>>> all = days(Optional.empty(), week);
    List<WeeklyReport.Incident> incidents = incidents(Optional.empty(), week, estateZone);
    List<WeeklyReport.SloLine> lines = new ArrayList<>();
    for (String id : tenants(week)) {
      ZoneId zone = zone(id);
      List<WeeklyReport.Incident> own =
          incidents.stream().filter(i -> i.tenant().equals(id)).toList();
      lines.addAll(lines(id, week, zone, all.getOrDefault(id, Map.of()), own));
    }
    List<WeeklyReport.WeekKept> kept = new ArrayList<>();
    for (int i = WEEKS_SHOWN - 1; i >= 0; i--) {
      IsoWeek w = week.plus(-i);
      int judged = 0;
      int good = 0;
      for (WeeklyReport.SloLine l : lines) {
        Optional<Double> a = l.weekly().get(WEEKS_SHOWN - 1 - i).value();
        if (a.isPresent()) {
          judged++;
          good += a.get() >= l.objective() ? 1 : 0;
        }
      }
      kept.add(new WeeklyReport.WeekKept(w, good, judged));
    }
    return new WeeklyReport(
        WeeklyReport.ESTATE,
        "The estate",
        week,
        estateZone,
        clock.instant(),
        lines,
        incidents,
        List.of(),
        Optional.empty(),
        kept,
        releases(null, week.start(estateZone), week.end(estateZone)));
  }

  /** Tenant → SLO → day → counts, from 13 weeks and the longest window before the week's end. */
  private Map<String, Map<String, Map<LocalDate, DailyCounts.Count>>> days(
      Optional<String> tenant, IsoWeek week) throws SQLException {
    long longest =
        ledger.catalog().slos().stream()
            .mapToLong(s -> s.window().nominal().toDays() + 31)
            .max()
            .orElse(31);
    LocalDate from = week.plus(-(WEEKS_SHOWN - 1)).monday().minusDays(Math.max(longest, 7) + 1);
    LocalDate to = week.sunday().plusDays(1);
    Map<String, Map<String, Map<LocalDate, DailyCounts.Count>>> bySlo =
        ledger.rollups().days(TenantScope.all(), tenant, Optional.empty(), from, to);
    Map<String, Map<String, Map<LocalDate, DailyCounts.Count>>> byTenant = new HashMap<>();
    bySlo.forEach(
        (slo, tenants) ->
            tenants.forEach(
                (t, d) -> byTenant.computeIfAbsent(t, k -> new HashMap<>()).put(slo, d)));
    return byTenant;
  }

  private List<WeeklyReport.SloLine> lines(
      String id,
      IsoWeek week,
      ZoneId tenantZone,
      Map<String, Map<LocalDate, DailyCounts.Count>> days,
      List<WeeklyReport.Incident> incidents) {
    Tenant t = ledger.tenant(id).orElse(null);
    List<WeeklyReport.SloLine> out = new ArrayList<>();
    for (Slo slo : ledger.catalog().slos()) {
      Map<LocalDate, DailyCounts.Count> d = days.getOrDefault(slo.name(), Map.of());
      ZoneId zone = slo.window().zoneFor(tenantZone);
      Instant at = week.end(zone).minusMillis(1);
      Optional<SloLedger.Figure> now = ledger.figure(slo, id, d, at);
      if (now.isEmpty()) {
        continue;
      }
      SloLedger.Figure f = now.get();
      ErrorBudget budget = f.budget();
      Optional<SloLedger.Figure> before =
          ledger.figure(slo, id, d, week.plus(-1).end(zone).minusMillis(1));
      ErrorBudget thisWeek = sum(d, week).budget(f.objective());
      Optional<Double> peak =
          week.monday()
              .datesUntil(week.sunday().plusDays(1))
              .map(day -> d.getOrDefault(day, new DailyCounts.Count(0, 0)).budget(f.objective()))
              .flatMap(b -> b.burnRate().stream())
              .max(Double::compare);
      Optional<Double> lastDayBurn =
          d.getOrDefault(week.sunday(), new DailyCounts.Count(0, 0))
              .budget(f.objective())
              .burnRate();
      Optional<Duration> exhaustion =
          lastDayBurn.flatMap(b -> budget.timeToExhaustion(b, slo.window().nominal()));
      List<WeeklyReport.WeekValue> weekly = new ArrayList<>();
      for (int i = WEEKS_SHOWN - 1; i >= 0; i--) {
        IsoWeek w = week.plus(-i);
        weekly.add(new WeeklyReport.WeekValue(w, sum(d, w).budget(f.objective()).attained()));
      }
      out.add(
          new WeeklyReport.SloLine(
              id,
              t == null ? id : t.name(),
              slo.name(),
              slo.description(),
              slo.impact(),
              windowWords(slo.window()),
              f.objective(),
              budget.state(slo.atRiskBelow()),
              thisWeek.attained(),
              budget.attained(),
              budget.remaining(),
              before.flatMap(b -> b.budget().remaining()),
              peak,
              exhaustion,
              slo.runbookUrl(),
              topAlert(slo, incidents),
              burnDown(d, f),
              windowLength(slo.window(), f.firstDay()),
              weekly));
    }
    return out;
  }

  private static DailyCounts.Count sum(Map<LocalDate, DailyCounts.Count> d, IsoWeek w) {
    return DailyCounts.sum(d, w.monday().datesUntil(w.sunday().plusDays(1)).toList());
  }

  /**
   * Budget left at the end of each day of the window: one less the bad events so far over all the
   * window's allowed bad events (the last day's value is the window's budget remaining).
   */
  private static List<WeeklyReport.DayValue> burnDown(
      Map<LocalDate, DailyCounts.Count> d, SloLedger.Figure f) {
    double allowedBad = (1 - f.objective()) * f.counts().total();
    List<WeeklyReport.DayValue> out = new ArrayList<>();
    double bad = 0;
    for (LocalDate day = f.firstDay(); !day.isAfter(f.lastDay()); day = day.plusDays(1)) {
      DailyCounts.Count c = d.get(day);
      if (c != null) {
        bad += Math.max(0, c.total() - Math.min(c.good(), c.total()));
      }
      out.add(
          new WeeklyReport.DayValue(
              day, allowedBad > 0 ? Optional.of(1 - bad / allowedBad) : Optional.empty()));
    }
    return out;
  }

  /** The window in words for a headline: {@code 28-day}, {@code monthly}. */
  static String windowWords(SloWindow w) {
    return switch (w) {
      case SloWindow.Rolling r ->
          r.length().toHours() % 24 == 0
              ? r.length().toDays() + "-day"
              : r.length().toHours() + "-hour";
      case SloWindow.Calendar c ->
          switch (c.period()) {
            case WEEK -> "weekly";
            case MONTH -> "monthly";
            case QUARTER -> "quarterly";
          };
    };
  }

  /** The window's whole length in days (a calendar period's actual length). */
  private static int windowLength(SloWindow w, LocalDate first) {
    return switch (w) {
      case SloWindow.Rolling r -> (int) Math.max(1, r.length().toDays());
      case SloWindow.Calendar c ->
          (int)
              ChronoUnit.DAYS.between(
                  first,
                  switch (c.period()) {
                    case WEEK -> first.plusWeeks(1);
                    case MONTH -> first.plusMonths(1);
                    case QUARTER -> first.plusMonths(3);
                  });
    };
  }

  /** The incident that lasted longest among those at the SLO's risk, or among all. */
  private static Optional<String> topAlert(Slo slo, List<WeeklyReport.Incident> incidents) {
    Comparator<WeeklyReport.Incident> longest =
        Comparator.comparing(WeeklyReport.Incident::duration);
    String risk = slo.risk() == null ? "" : slo.risk().key();
    Optional<WeeklyReport.Incident> same =
        incidents.stream().filter(i -> i.risk().equals(risk)).max(longest);
    return same.or(() -> incidents.stream().max(longest)).map(WeeklyReport.Incident::alertname);
  }

  /**
   * Every firing stretch of {@code ALERTS} in the week (one-minute steps): a stretch ends where the
   * series goes stale.
   */
  private List<WeeklyReport.Incident> incidents(
      Optional<String> tenant, IsoWeek week, ZoneId zone) {
    long first = week.start(zone).toEpochMilli();
    long last = week.end(zone).toEpochMilli() - STEP;
    String selector =
        "ALERTS{alertstate=\"firing\"" + tenant.map(t -> ",tenant=\"" + t + "\"").orElse("") + "}";
    List<WeeklyReport.Incident> out = new ArrayList<>();
    queries
        .range(selector, first, last, STEP)
        .forEach(
            (labels, points) -> {
              Long runStart = null;
              long prev = Long.MIN_VALUE;
              for (long t : points.keySet()) {
                if (runStart != null && t - prev > STEP) {
                  out.add(incident(labels, runStart, prev + STEP, false));
                  runStart = null;
                }
                if (runStart == null) {
                  runStart = t;
                }
                prev = t;
              }
              if (runStart != null) {
                out.add(incident(labels, runStart, prev + STEP, prev >= last));
              }
            });
    out.sort(
        Comparator.comparing(WeeklyReport.Incident::start)
            .thenComparing(WeeklyReport.Incident::tenant)
            .thenComparing(WeeklyReport.Incident::alertname));
    return out;
  }

  private WeeklyReport.Incident incident(Labels l, long from, long to, boolean ongoing) {
    String name = l.get("alertname");
    Rule.Alerting rule = alertRules.get(name);
    String risk = l.get("risk");
    if (risk == null) {
      risk = rule == null || rule.risk() == null ? "" : rule.risk().key();
    }
    String impact = l.get("impact");
    if (impact == null) {
      impact = rule == null ? "" : rule.impact();
    }
    String severity = l.get("severity");
    return new WeeklyReport.Incident(
        String.valueOf(l.get("tenant")),
        name,
        severity == null ? "" : severity,
        risk,
        impact,
        Instant.ofEpochMilli(from),
        ongoing ? Optional.empty() : Optional.of(Instant.ofEpochMilli(to)),
        Duration.ofMillis(to - from));
  }

  /** Orders per day against a week before, backlog peaks, and recovery readiness. */
  /** Stores a report lists at most: those with the most bad open minutes. */
  static final int WORST_STORES = 5;

  /**
   * The tenant's stores with bad open minutes in the week ending at {@code end}, worst first: from
   * the built-in pack's per-store store-continuity series, recorded every minute.
   */
  private List<WeeklyReport.StoreWeek> worstStores(String id, Instant end, long weekSecs) {
    String sel = "{tenant=\"" + id + "\"}";
    String range = "[" + weekSecs + "s]";
    Map<String, Double> open =
        queries.byLabel(
            "count_over_time(tenant_store:odoo_pos_good" + sel + range + ")", "store", end);
    Map<String, Double> good =
        queries.byLabel(
            "sum_over_time(tenant_store:odoo_pos_good" + sel + range + ")", "store", end);
    Map<String, Double> silence =
        queries.byLabel(
            "max_over_time(tenant_store:odoo_pos_silent_age_seconds" + sel + range + ")",
            "store",
            end);
    Map<String, Double> delay =
        queries.byLabel(
            "max_over_time(tillwatch_odoo_pos_sync_delay_seconds{tenant=\""
                + id
                + "\",quantile=\"0.5\"}"
                + range
                + ")",
            "store",
            end);
    List<WeeklyReport.StoreWeek> out = new ArrayList<>();
    open.forEach(
        (store, minutes) -> {
          double bad = minutes - good.getOrDefault(store, 0.0);
          if (bad > 0) {
            out.add(
                new WeeklyReport.StoreWeek(
                    store,
                    minutes,
                    bad,
                    Optional.ofNullable(silence.get(store))
                        .map(v -> Duration.ofMillis(Math.round(v * 1000))),
                    Optional.ofNullable(delay.get(store))
                        .map(v -> Duration.ofMillis(Math.round(v * 1000)))));
          }
        });
    out.sort(
        java.util.Comparator.comparingDouble(WeeklyReport.StoreWeek::badMinutes)
            .reversed()
            .thenComparing(WeeklyReport.StoreWeek::store));
    return out.subList(0, Math.min(WORST_STORES, out.size()));
  }

  private WeeklyReport.Signals signals(String id, IsoWeek week, ZoneId zone) {
    String sel = "{tenant=\"" + id + "\"}";
    List<WeeklyReport.DayOrders> orders = new ArrayList<>();
    List<WeeklyReport.DayValue> peaks = new ArrayList<>();
    for (LocalDate d = week.monday(); !d.isAfter(week.sunday()); d = d.plusDays(1)) {
      orders.add(
          new WeeklyReport.DayOrders(d, orders(sel, d, zone), orders(sel, d.minusDays(7), zone)));
      Instant end = d.plusDays(1).atStartOfDay(zone).toInstant();
      long secs = Duration.between(d.atStartOfDay(zone).toInstant(), end).toSeconds();
      peaks.add(
          new WeeklyReport.DayValue(
              d,
              queries.value(
                  "max_over_time(sum(tillwatch_odoo_queue_jobs{tenant=\""
                      + id
                      + "\",state=\"pending\"})["
                      + secs
                      + "s:1m])",
                  end)));
    }
    Instant end = week.end(zone);
    long weekSecs = Duration.between(week.start(zone), end).toSeconds();
    Tier tier = ledger.tenant(id).map(Tenant::tier).orElse(Tier.SHARED);
    WeeklyReport.Readiness readiness =
        new WeeklyReport.Readiness(
            tier.recoveryPointObjective(),
            queries
                .value("max(tillwatch_backup_last_success_timestamp_seconds" + sel + ")", end)
                .filter(v -> v > 0)
                .map(v -> Instant.ofEpochMilli(Math.round(v * 1000))),
            queries
                .value(
                    "max(max_over_time(tillwatch_pg_wal_last_archived_age_seconds"
                        + sel
                        + "["
                        + weekSecs
                        + "s]))",
                    end)
                .map(v -> Duration.ofMillis(Math.round(v * 1000))),
            queries.value(
                "sum(increase(tillwatch_pg_wal_archive_failed_total"
                    + sel
                    + "["
                    + weekSecs
                    + "s]))",
                end),
            queries.value(
                "avg(avg_over_time(tillwatch_pg_replication_streaming"
                    + sel
                    + "["
                    + weekSecs
                    + "s]))",
                end),
            tier.recoveryTimeObjective(),
            queries
                .value(
                    "max(last_over_time(tillwatch_backup_restore_test_last_success_timestamp_seconds"
                        + sel
                        + "["
                        + weekSecs
                        + "s]))",
                    end)
                .filter(v -> v > 0)
                .map(v -> Instant.ofEpochMilli(Math.round(v * 1000))),
            queries
                .value(
                    "max(last_over_time(tillwatch_backup_restore_duration_seconds"
                        + sel
                        + "["
                        + weekSecs
                        + "s]))",
                    end)
                .map(v -> Duration.ofMillis(Math.round(v * 1000))));
    return new WeeklyReport.Signals(orders, peaks, readiness, worstStores(id, end, weekSecs));
  }

  private Optional<Double> orders(String sel, LocalDate day, ZoneId zone) {
    Instant end = day.plusDays(1).atStartOfDay(zone).toInstant();
    long secs = Duration.between(day.atStartOfDay(zone).toInstant(), end).toSeconds();
    return queries
        .value("sum(increase(tillwatch_odoo_orders_total" + sel + "[" + secs + "s]))", end)
        .map(v -> (double) Math.round(v));
  }
}
