package io.tillwatch.collector.events;

import io.tillwatch.collector.config.ReleaseGuardConfig;
import io.tillwatch.collector.store.EventLog;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import io.tillwatch.model.Durations;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.promql.SeriesSource;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Judges each release (a {@code deploy} event) once its window has passed: the tenant's order
 * intake, share of server errors, share of slow requests (checkout latency) and stock-sync backlog
 * in the window after it, against the same window before it and the same time a week earlier
 * (retail traffic is weekly: a dip that came last week at this hour too is no degradation). A
 * signal is degraded when it is worse than every baseline that has enough traffic ({@link
 * ReleaseTests}). The verdict goes on the event ("release looked healthy" and the figures, or what
 * it degraded), and into series the built-in pack's {@code ReleaseDegraded…} alerts read: {@value
 * #DEGRADED}{@code {tenant, service, version, signal, window}} (1 degraded, 0 not) and {@value
 * #FIGURE}{@code {…, period="after"|"before"|"last_week"}}.
 */
public final class ReleaseGuard implements HealthCheck {
  private static final System.Logger LOG = System.getLogger(ReleaseGuard.class.getName());

  /** 1 when a release degraded the signal, 0 when it did not (judged signals only). */
  public static final String DEGRADED = "tillwatch_release_degraded";

  /** A signal's figure in a period around a release. */
  public static final String FIGURE = "tillwatch_release_figure";

  /** Samples arrive late by up to this much: a window is judged once it has passed. */
  static final Duration SETTLE = Duration.ofMinutes(1);

  /** Releases one run judges at most. */
  static final int MOST_PER_RUN = 100;

  /** What the guard compares. */
  public enum Signal {
    ORDER_INTAKE("order_intake", "order intake"),
    SERVER_ERRORS("server_errors", "server errors"),
    CHECKOUT_LATENCY("checkout_latency", "slow requests"),
    STOCK_SYNC_BACKLOG("stock_sync_backlog", "stock-sync backlog");

    private final String id;
    private final String words;

    Signal(String id, String words) {
      this.id = id;
      this.words = words;
    }

    /** The {@code signal} label's value. */
    public String id() {
      return id;
    }
  }

  /** Where a signal's figure is read: the access log's exact histogram, else Traefik's. */
  private record Share(String bad, String total) {}

  private static final String ORDERS = "sum(increase(tillwatch_odoo_orders_total[%s]))";

  private static final List<Share> ERRORS =
      List.of(
          new Share(
              "sum(increase(tillwatch_http_request_duration_seconds_count{code_class=\"5xx\"}[%s]))",
              "sum(increase(tillwatch_http_request_duration_seconds_count[%s]))"),
          new Share(
              "sum(increase(traefik_service_requests_total{service=~\"odoo.*\", code=~\"5..\"}[%s]))",
              "sum(increase(traefik_service_requests_total{service=~\"odoo.*\"}[%s]))"));

  // slow: all requests less those within the SLO's second (1.2 s: Traefik's nearest bucket)
  private static final List<Share> SLOW =
      List.of(
          new Share(
              "sum(increase(tillwatch_http_request_duration_seconds_count[%1$s]))"
                  + " - sum(increase(tillwatch_http_request_duration_seconds_bucket{le=\"1\"}[%1$s]))",
              "sum(increase(tillwatch_http_request_duration_seconds_count[%s]))"),
          new Share(
              "sum(increase(traefik_service_request_duration_seconds_count{service=~\"odoo.*\"}[%1$s]))"
                  + " - sum(increase(traefik_service_request_duration_seconds_bucket"
                  + "{service=~\"odoo.*\", le=\"1.2\"}[%1$s]))",
              "sum(increase(traefik_service_request_duration_seconds_count{service=~\"odoo.*\"}[%s]))"));

  private static final String BACKLOG =
      "sum(avg_over_time(tillwatch_odoo_queue_jobs{channel=~\"root.stock.*\", state=\"pending\"}[%s]))";

  private final EventLog log;
  private final ReleaseGuardConfig config;
  private final Function<String, SeriesSource> data;
  private final Predicate<SampleBatch> write;
  private final Clock clock;
  private final HealthState health;
  private volatile Predicate<String> mine = tenant -> true;

  /**
   * @param data the series of one tenant
   * @param write queues the guard's series for storage; false when the queue is full
   */
  public ReleaseGuard(
      EventLog log,
      ReleaseGuardConfig config,
      Function<String, SeriesSource> data,
      Predicate<SampleBatch> write,
      Clock clock) {
    this.log = log;
    this.config = config;
    this.data = data;
    this.write = write;
    this.clock = clock;
    this.health = new HealthState(clock);
  }

  /** Judges only the releases of tenants {@code mine} accepts (replicas: the leased ones). */
  public void onlyTenants(Predicate<String> tenants) {
    this.mine = tenants;
  }

  @Override
  public Health check() {
    return health.check();
  }

  /** Judges every release whose window has passed and that has no verdict yet; how many. */
  public int run() {
    Instant now = clock.instant();
    int decided = 0;
    try {
      for (Event e : log.undecidedDeploys(now.minus(config.window()).minus(SETTLE), MOST_PER_RUN)) {
        if (!mine.test(e.tenant())) {
          continue;
        }
        Judgement j = judge(e);
        Event.Verdict v = new Event.Verdict(j.healthy(), j.text(), now);
        if (log.decide(e.id(), v)) { // another replica may have judged it meanwhile
          record(e, j, now);
          decided++;
        }
      }
      health.succeeded();
    } catch (SQLException | RuntimeException ex) {
      health.failed("judging releases: " + ex.getMessage());
      LOG.log(System.Logger.Level.WARNING, "judging releases failed: " + ex.getMessage());
    }
    return decided;
  }

  /** The figures of one signal around a release, and what they say. */
  public record Finding(
      Signal signal,
      double after,
      OptionalDouble before,
      OptionalDouble lastWeek,
      ReleaseTests.Comparison vsBefore,
      ReleaseTests.Comparison vsLastWeek) {
    /** Whether any baseline had enough traffic to compare. */
    public boolean judged() {
      return vsBefore.judged() || vsLastWeek.judged();
    }

    /** Worse than every baseline that could be compared. */
    public boolean degraded() {
      return judged()
          && (!vsBefore.judged() || vsBefore.worse())
          && (!vsLastWeek.judged() || vsLastWeek.worse());
    }
  }

  /** What the guard found about a release. */
  public record Judgement(List<Finding> findings, String text) {
    public boolean healthy() {
      return findings.stream().noneMatch(Finding::degraded);
    }
  }

  /** Compares the windows around {@code deploy}'s time. */
  public Judgement judge(Event deploy) {
    SeriesSource source = data.apply(deploy.tenant());
    String w = Durations.format(config.window());
    long after = deploy.at().plus(config.window()).toEpochMilli();
    long before = deploy.at().toEpochMilli();
    long lastWeek = after - Duration.ofDays(7).toMillis();
    List<Finding> findings = new ArrayList<>();
    // order intake: counts
    OptionalDouble oa = value(source, ORDERS.formatted(w), after);
    if (oa.isPresent()) {
      OptionalDouble ob = value(source, ORDERS.formatted(w), before);
      OptionalDouble ow = value(source, ORDERS.formatted(w), lastWeek);
      findings.add(
          new Finding(
              Signal.ORDER_INTAKE,
              oa.getAsDouble(),
              ob,
              ow,
              ob.isPresent()
                  ? ReleaseTests.countDrop(oa.getAsDouble(), ob.getAsDouble(), config)
                  : ReleaseTests.Comparison.NOT_JUDGED,
              ow.isPresent()
                  ? ReleaseTests.countDrop(oa.getAsDouble(), ow.getAsDouble(), config)
                  : ReleaseTests.Comparison.NOT_JUDGED));
    }
    share(source, Signal.SERVER_ERRORS, ERRORS, w, after, before, lastWeek)
        .ifPresent(findings::add);
    share(source, Signal.CHECKOUT_LATENCY, SLOW, w, after, before, lastWeek)
        .ifPresent(findings::add);
    OptionalDouble ba = value(source, BACKLOG.formatted(w), after);
    if (ba.isPresent()) {
      OptionalDouble bb = value(source, BACKLOG.formatted(w), before);
      OptionalDouble bw = value(source, BACKLOG.formatted(w), lastWeek);
      findings.add(
          new Finding(
              Signal.STOCK_SYNC_BACKLOG,
              ba.getAsDouble(),
              bb,
              bw,
              ReleaseTests.levelRise(ba.getAsDouble(), bb.orElse(Double.NaN), config),
              ReleaseTests.levelRise(ba.getAsDouble(), bw.orElse(Double.NaN), config)));
    }
    return new Judgement(findings, text(findings, w));
  }

  /** The share of bad requests in each window, from the first source that has traffic. */
  private java.util.Optional<Finding> share(
      SeriesSource source,
      Signal signal,
      List<Share> shares,
      String w,
      long after,
      long before,
      long lastWeek) {
    for (Share s : shares) {
      OptionalDouble ta = value(source, s.total().formatted(w), after);
      if (ta.isEmpty() || ta.getAsDouble() <= 0) {
        continue;
      }
      double ba = value(source, s.bad().formatted(w), after).orElse(0);
      OptionalDouble tb = value(source, s.total().formatted(w), before);
      OptionalDouble tw = value(source, s.total().formatted(w), lastWeek);
      double bb = value(source, s.bad().formatted(w), before).orElse(0);
      double bw = value(source, s.bad().formatted(w), lastWeek).orElse(0);
      return java.util.Optional.of(
          new Finding(
              signal,
              ba / ta.getAsDouble(),
              share(bb, tb),
              share(bw, tw),
              tb.isPresent()
                  ? ReleaseTests.shareRise(ba, ta.getAsDouble(), bb, tb.getAsDouble(), config)
                  : ReleaseTests.Comparison.NOT_JUDGED,
              tw.isPresent()
                  ? ReleaseTests.shareRise(ba, ta.getAsDouble(), bw, tw.getAsDouble(), config)
                  : ReleaseTests.Comparison.NOT_JUDGED));
    }
    return java.util.Optional.empty();
  }

  private static OptionalDouble share(double bad, OptionalDouble total) {
    return total.isPresent() && total.getAsDouble() > 0
        ? OptionalDouble.of(bad / total.getAsDouble())
        : OptionalDouble.empty();
  }

  /** The value of a one-series expression at {@code time}, if it has one. */
  private static OptionalDouble value(SeriesSource source, String expr, long time) {
    return new io.tillwatch.collector.report.ReportQueries(source)
        .value(expr, Instant.ofEpochMilli(time))
        .map(OptionalDouble::of)
        .orElse(OptionalDouble.empty());
  }

  /** The verdict in words: what degraded, or that the release looked healthy, with the figures. */
  static String text(List<Finding> findings, String window) {
    List<String> degraded = new ArrayList<>();
    List<String> parts = new ArrayList<>();
    for (Finding f : findings) {
      if (f.degraded()) {
        degraded.add(f.signal().words);
      }
      parts.add(describe(f, window));
    }
    String head =
        degraded.isEmpty()
            ? "release looked healthy"
            : "release degraded " + String.join(", ", degraded);
    return parts.isEmpty()
        ? head + " (no order, request or stock-sync figures to compare)"
        : head + ": " + String.join("; ", parts);
  }

  private static String describe(Finding f, String window) {
    StringBuilder b = new StringBuilder(f.signal().words).append(' ');
    b.append(figure(f.signal(), f.after())).append(" in the ").append(window).append(" after");
    f.before()
        .ifPresent(
            v ->
                b.append(", ")
                    .append(figure(f.signal(), v))
                    .append(" before")
                    .append(p(f.vsBefore())));
    f.lastWeek()
        .ifPresent(
            v ->
                b.append(", ")
                    .append(figure(f.signal(), v))
                    .append(" a week earlier")
                    .append(p(f.vsLastWeek())));
    if (!f.judged()) {
      b.append(" (too little traffic to judge)");
    }
    return b.toString();
  }

  private static String p(ReleaseTests.Comparison c) {
    return c.judged() && !Double.isNaN(c.p()) ? " (" + ReleaseTests.p(c.p()) + ")" : "";
  }

  private static String figure(Signal s, double v) {
    return switch (s) {
      case ORDER_INTAKE -> String.format(Locale.ROOT, "%.0f orders", v);
      case SERVER_ERRORS, CHECKOUT_LATENCY -> String.format(Locale.ROOT, "%.2f %%", v * 100);
      case STOCK_SYNC_BACKLOG -> String.format(Locale.ROOT, "%.0f jobs pending", v);
    };
  }

  /** The verdict's series, at the time of the verdict. */
  private void record(Event e, Judgement j, Instant at) {
    SampleBatch batch = new SampleBatch();
    long t = at.toEpochMilli();
    String w = Durations.format(config.window());
    for (Finding f : j.findings()) {
      if (!f.judged()) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("tenant", e.tenant());
      if (!e.service().isEmpty()) {
        labels.put("service", e.service());
      }
      labels.put("version", e.version());
      labels.put("signal", f.signal().id());
      labels.put("window", w);
      batch.add(
          new Series(DEGRADED, Labels.of(labels)), e.tenant(), t, f.degraded() ? 1 : 0, false);
      figure(batch, labels, "after", OptionalDouble.of(f.after()), e.tenant(), t);
      figure(batch, labels, "before", f.before(), e.tenant(), t);
      figure(batch, labels, "last_week", f.lastWeek(), e.tenant(), t);
    }
    if (batch.size() > 0 && !write.test(batch)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "write queue full: the release guard's series of event " + e.id() + " not stored");
    }
    LOG.log(
        j.healthy() ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
        "release " + e.version() + " of " + e.tenant() + ": " + j.text());
  }

  private static void figure(
      SampleBatch batch,
      Map<String, String> labels,
      String period,
      OptionalDouble value,
      String tenant,
      long t) {
    if (value.isPresent()) {
      Map<String, String> l = new LinkedHashMap<>(labels);
      l.put("period", period);
      batch.add(new Series(FIGURE, Labels.of(l)), tenant, t, value.getAsDouble(), false);
    }
  }
}
