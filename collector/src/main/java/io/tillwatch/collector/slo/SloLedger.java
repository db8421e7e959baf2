package io.tillwatch.collector.slo;

import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.calendar.Interval;
import io.tillwatch.collector.store.SloRollups;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.PrefetchSource;
import io.tillwatch.promql.QueryLimits;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.Rule;
import io.tillwatch.slo.Coverage;
import io.tillwatch.slo.DailyCounts;
import io.tillwatch.slo.ErrorBudget;
import io.tillwatch.slo.Slo;
import io.tillwatch.slo.SloCatalog;
import io.tillwatch.slo.SloWindow;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Counts every SLO's good and total events (or good and all time slices) per tenant and local day
 * into the rollups that outlive raw samples: each cycle it evaluates the SLI over the slices since
 * the SLO's progress (five minutes of events, or one time slice), keeps the share of each slice
 * that counts (the tenant's business hours, outside exclusions) and adds it to the slice's local
 * day. Calendar windows, business-hours SLOs and exclusions are judged from these rollups: a window
 * is a sum over its days.
 */
public final class SloLedger implements HealthCheck {
  private static final System.Logger LOG = System.getLogger(SloLedger.class.getName());

  /** The slice events are counted in: the rate of five minutes, every five minutes. */
  public static final Duration EVENT_SLICE = Duration.ofMinutes(5);

  /** Samples arrive late by up to this much; slices are counted only once it has passed. */
  public static final Duration SETTLE = Duration.ofMinutes(1);

  /** The most one evaluation counts of one SLO (a first start catches up over cycles). */
  static final Duration MOST_PER_CYCLE = Duration.ofDays(7);

  /** Local days start as early as UTC+14. */
  private static final Duration EARLIEST_OFFSET = Duration.ofHours(14);

  // replaced by a reload: a changed SLO is recounted from the samples kept (its definition)
  private volatile SloCatalog catalog;
  private final Map<String, Tenant> tenants;
  private final SloRollups rollups;
  private final SeriesSource data;
  private final Duration recountable;
  private final Clock clock;
  private final HealthState health;

  /**
   * @param recountable how far back samples are kept (the samples' retention): how far a first
   *     count, or a recount after a changed SLO, reaches
   */
  public SloLedger(
      SloCatalog catalog,
      Map<String, Tenant> tenants,
      SloRollups rollups,
      SeriesSource data,
      Duration recountable,
      Clock clock) {
    this.catalog = catalog;
    this.tenants = Map.copyOf(tenants);
    this.rollups = rollups;
    this.data = data;
    this.recountable = recountable;
    this.clock = clock;
    this.health = new HealthState(clock);
  }

  @Override
  public Health check() {
    return health.check();
  }

  /** Where the counts are kept. */
  public SloRollups rollups() {
    return rollups;
  }

  /** The SLOs counted. */
  public SloCatalog catalog() {
    return catalog;
  }

  /**
   * Counts {@code next}'s SLOs from now on (a reload): an SLO whose definition changed is recounted
   * from the samples still kept, as after a restart; the others go on from their progress.
   */
  public void replaceCatalog(SloCatalog next) {
    this.catalog = next;
  }

  /** The estate's tenants by id. */
  public Map<String, Tenant> tenants() {
    return tenants;
  }

  /** The tenant of an id, if the estate knows it. */
  public Optional<Tenant> tenant(String id) {
    return Optional.ofNullable(tenants.get(id));
  }

  /**
   * Whether {@code slo} is judged from rollups for {@code tenant}: a calendar window, business
   * hours, or exclusions that apply to the tenant.
   */
  public boolean judgedFromRollups(Slo slo, String tenant) {
    return slo.window() instanceof SloWindow.Calendar
        || slo.during() != Rule.During.ALWAYS
        || catalog.exclusions().stream().anyMatch(e -> e.appliesTo(tenant))
        || maintenance.mayExclude(tenant);
  }

  /**
   * Periods taken out of SLOs as they are announced (maintenance events), besides the SLO files'
   * exclusions. A period counts from when it is known: slices counted before it was announced stay
   * as counted.
   */
  public interface MaintenanceWindows {
    /** No maintenance ever excludes anything. */
    MaintenanceWindows NONE =
        new MaintenanceWindows() {
          @Override
          public boolean mayExclude(String tenant) {
            return false;
          }

          @Override
          public List<io.tillwatch.slo.Exclusion> between(Instant from, Instant to) {
            return List.of();
          }
        };

    /** Whether the tenant's maintenance may be taken out of its SLOs at all. */
    boolean mayExclude(String tenant);

    /** The periods that overlap {@code [from, to]}. */
    List<io.tillwatch.slo.Exclusion> between(Instant from, Instant to) throws SQLException;
  }

  private volatile MaintenanceWindows maintenance = MaintenanceWindows.NONE;

  /** Whether the tenant's announced maintenance is taken out of its SLOs. */
  public boolean maintenanceExcludes(String tenant) {
    return maintenance.mayExclude(tenant);
  }

  /** Takes the periods of {@code windows} out of SLOs too, from now on. */
  public void excludeMaintenance(MaintenanceWindows windows) {
    this.maintenance = windows;
  }

  /** Counts every SLO up to now (less {@link #SETTLE}); the slices counted. */
  public long update() {
    long slices = 0;
    List<String> failures = new ArrayList<>();
    for (Slo slo : catalog.slos()) {
      try {
        slices += update(slo, clock.instant().minus(SETTLE));
      } catch (SQLException | RuntimeException e) {
        failures.add(slo.name() + ": " + e.getMessage());
        LOG.log(System.Logger.Level.WARNING, "counting SLO " + slo.name() + " failed", e);
      }
    }
    if (failures.isEmpty()) {
      health.succeeded();
    } else {
      health.failed("rollups of " + String.join("; ", failures));
    }
    return slices;
  }

  /** The slice an SLO is counted in. */
  static Duration slice(Slo slo) {
    return slo.sli() instanceof Slo.Timeslice t ? t.slice() : EVENT_SLICE;
  }

  /**
   * The SLO's name, and for an SLO of some tenants only, which: a built-in SLO and a file's that
   * takes some of its tenants over are counted apart.
   */
  static String variant(Slo slo) {
    return slo.restricted()
        ? slo.name() + " " + slo.tenants() + " except " + slo.exceptTenants()
        : slo.name();
  }

  /** What the counts of an SLO depend on: a change recounts what samples are still kept. */
  static String definition(Slo slo, List<io.tillwatch.slo.Exclusion> exclusions) {
    return slo.sli() + "|" + slo.during() + "|" + slo.tenants() + "|" + exclusions;
  }

  private long update(Slo slo, Instant until) throws SQLException {
    long step = slice(slo).toMillis();
    Instant end = Instant.ofEpochMilli(Math.floorDiv(until.toEpochMilli(), step) * step);
    String definition = definition(slo, catalog.exclusions());
    String variant = variant(slo);
    Optional<SloRollups.Progress> progress = rollups.progress(variant);
    // a first count, or a recount: from the first whole day samples may still hold
    LocalDate firstDay = null;
    Instant from;
    if (progress.isPresent() && progress.get().definition().equals(definition)) {
      from = progress.get().through();
    } else {
      long days = Math.min(recountable.toDays(), longestWindowDays(slo.window()));
      firstDay = LocalDate.ofInstant(until, ZoneOffset.UTC).minusDays(Math.max(0, days - 1));
      Instant earliest = firstDay.atStartOfDay(ZoneOffset.UTC).toInstant().minus(EARLIEST_OFFSET);
      from = Instant.ofEpochMilli(Math.floorDiv(earliest.toEpochMilli(), step) * step);
    }
    boolean reset = firstDay != null && progress.isPresent();
    long slices = 0;
    Instant stop = from.plus(MOST_PER_CYCLE).isBefore(end) ? from.plus(MOST_PER_CYCLE) : end;
    while (from.isBefore(stop)) {
      Instant to =
          from.plus(Duration.ofDays(1)).isBefore(stop) ? from.plus(Duration.ofDays(1)) : stop;
      Map<String, Map<LocalDate, DailyCounts.Count>> counts = count(slo, from, to, firstDay);
      rollups.add(slo.name(), variant, counts, to, definition, reset ? firstDay : null);
      reset = false;
      slices += (to.toEpochMilli() - from.toEpochMilli()) / step;
      from = to;
    }
    return slices;
  }

  /** Days a window can reach back: its length, or a calendar quarter's 92 days. */
  private static long longestWindowDays(SloWindow w) {
    return switch (w) {
      case SloWindow.Rolling r -> r.length().toDays();
      case SloWindow.Calendar c ->
          switch (c.period()) {
            case WEEK -> 7;
            case MONTH -> 31;
            case QUARTER -> 92;
          };
    };
  }

  /**
   * The counts of the slices ending in {@code (from, to]} per tenant and day; days before {@code
   * firstDay} (when given) are left out, as they hold counts from before a recount.
   */
  Map<String, Map<LocalDate, DailyCounts.Count>> count(
      Slo slo, Instant from, Instant to, LocalDate firstDay) throws SQLException {
    List<io.tillwatch.slo.Exclusion> exclusions = new ArrayList<>(catalog.exclusions());
    exclusions.addAll(maintenance.between(from, to));
    long step = slice(slo).toMillis();
    long first = from.toEpochMilli() + step;
    long last = to.toEpochMilli();
    Map<String, DailyCounts> byTenant = new HashMap<>();
    switch (slo.sli()) {
      case Slo.Events e -> {
        Map<String, Map<Long, Double>> good = perTenant(e.good(EVENT_SLICE), first, last, step);
        Map<String, Map<Long, Double>> total = perTenant(e.total(EVENT_SLICE), first, last, step);
        double seconds = step / 1000.0;
        total.forEach(
            (tenant, points) -> {
              DailyCounts c = counts(byTenant, slo, tenant, from, to, exclusions);
              if (c == null) {
                return;
              }
              Map<Long, Double> g = good.getOrDefault(tenant, Map.of());
              points.forEach(
                  (t, rate) ->
                      c.add(
                          Instant.ofEpochMilli(t - step),
                          Instant.ofEpochMilli(t),
                          // no good series at a step with traffic: none of it was good
                          g.getOrDefault(t, 0.0) * seconds,
                          rate * seconds));
            });
      }
      case Slo.Timeslice ts -> {
        Map<String, Map<Long, Double>> values = perTenant(ts.exprText(), first, last, step);
        values.forEach(
            (tenant, points) -> {
              DailyCounts c = counts(byTenant, slo, tenant, from, to, exclusions);
              if (c == null) {
                return;
              }
              points.forEach(
                  (t, v) ->
                      c.add(
                          Instant.ofEpochMilli(t - step),
                          Instant.ofEpochMilli(t),
                          ts.good().good(v),
                          1));
            });
      }
    }
    Map<String, Map<LocalDate, DailyCounts.Count>> out = new TreeMap<>();
    byTenant.forEach(
        (tenant, c) -> {
          Map<LocalDate, DailyCounts.Count> days = new TreeMap<>(c.days());
          if (firstDay != null) {
            days.keySet().removeIf(d -> d.isBefore(firstDay));
          }
          if (!days.isEmpty()) {
            out.put(tenant, days);
          }
        });
    return out;
  }

  /** The day counter of a tenant the SLO applies to, or null. */
  private DailyCounts counts(
      Map<String, DailyCounts> byTenant,
      Slo slo,
      String tenant,
      Instant from,
      Instant to,
      List<io.tillwatch.slo.Exclusion> exclusions) {
    Tenant t = tenants.get(tenant);
    if (!slo.appliesTo(tenant, t)) {
      return null;
    }
    return byTenant.computeIfAbsent(
        tenant,
        id -> {
          ZoneId zone = slo.window().zoneFor(t == null ? ZoneOffset.UTC : t.zone());
          BusinessHours hours = t == null ? BusinessHours.always() : t.businessHours();
          List<Interval> counted =
              Coverage.counted(
                  new Interval(from, to),
                  slo.during() == Rule.During.BUSINESS_HOURS,
                  hours,
                  zone,
                  id,
                  exclusions);
          return new DailyCounts(zone, counted);
        });
  }

  /** The values of {@code expr} at every step of {@code [first, last]}, per tenant. */
  private Map<String, Map<Long, Double>> perTenant(String expr, long first, long last, long step) {
    Expr e = Parser.parse(expr);
    Evaluator ev =
        new Evaluator(
            PrefetchSource.of(data, e, first, last, Evaluator.DEFAULT_LOOKBACK_MILLIS),
            Evaluator.DEFAULT_LOOKBACK_MILLIS,
            first,
            last,
            QueryLimits.DEFAULT);
    Map<String, Map<Long, Double>> out = new HashMap<>();
    for (long t = first; t <= last; t += step) {
      ev.resetSamples();
      if (ev.eval(e, t) instanceof Value.Vector v) {
        for (Value.Sample s : v.samples()) {
          String tenant = s.labels().get("tenant");
          if (tenant != null && !Double.isNaN(s.value())) {
            out.computeIfAbsent(tenant, k -> new HashMap<>()).put(t, s.value());
          }
        }
      }
    }
    return out;
  }

  /** One tenant × SLO judged over its window from the rollups. */
  public record Figure(
      String tenant,
      Slo slo,
      double objective,
      LocalDate firstDay,
      LocalDate lastDay,
      DailyCounts.Count counts,
      ErrorBudget budget) {}

  /**
   * Every tenant × SLO of {@code scope} judged at {@code at} from the rollups (a window's days in
   * the tenant's zone, today's counted so far).
   */
  public List<Figure> figures(TenantScope scope, Instant at) throws SQLException {
    // the longest window's days, and a day either side for zones ahead of or behind UTC
    long longest =
        catalog.slos().stream().mapToLong(s -> longestWindowDays(s.window())).max().orElse(1);
    LocalDate to = LocalDate.ofInstant(at, ZoneOffset.UTC).plusDays(1);
    LocalDate from = to.minusDays(longest + 1);
    Map<String, Map<String, Map<LocalDate, DailyCounts.Count>>> all =
        rollups.days(scope, Optional.empty(), Optional.empty(), from, to);
    List<Figure> out = new ArrayList<>();
    for (Slo slo : catalog.slos()) {
      all.getOrDefault(slo.name(), Map.of())
          .forEach((tenant, days) -> figure(slo, tenant, days, at).ifPresent(out::add));
    }
    return out;
  }

  /** The figure of one tenant × SLO at {@code at} from its days. */
  public Optional<Figure> figure(
      Slo slo, String tenant, Map<LocalDate, DailyCounts.Count> days, Instant at) {
    Tenant t = tenants.get(tenant);
    if (!slo.appliesTo(tenant, t)) {
      return Optional.empty();
    }
    double objective = t == null ? slo.objective() : slo.objectiveFor(t.tier());
    if (Double.isNaN(objective)) {
      return Optional.empty();
    }
    ZoneId zone = slo.window().zoneFor(t == null ? ZoneOffset.UTC : t.zone());
    List<LocalDate> window = DailyCounts.windowDays(slo.window(), at, zone);
    DailyCounts.Count sum = DailyCounts.sum(days, window);
    return Optional.of(
        new Figure(
            tenant,
            slo,
            objective,
            window.getFirst(),
            window.getLast(),
            sum,
            sum.budget(objective)));
  }
}
