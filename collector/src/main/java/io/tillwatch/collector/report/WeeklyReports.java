package io.tillwatch.collector.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tillwatch.alerting.report.IsoWeek;
import io.tillwatch.alerting.report.RenderedReport;
import io.tillwatch.alerting.report.ReportMailer;
import io.tillwatch.alerting.report.ReportRenderer;
import io.tillwatch.alerting.report.WeeklyReport;
import io.tillwatch.collector.config.ReportsConfig;
import io.tillwatch.collector.store.ReportSends;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Sends the weekly SLO report of every tenant with recipients (and the estate's summary) once per
 * ISO week, at the configured day and time in the tenant's zone: each due report gets a row in
 * {@code report_sends}; a replica claims a row, renders, mails and marks it sent in one
 * transaction. Failures are retried with backoff (one minute, doubling, at most an hour) for a
 * week; an unsent report shows in {@code tillwatch_report_unsent_seconds}.
 */
public final class WeeklyReports implements HealthCheck {
  private static final System.Logger LOG = System.getLogger(WeeklyReports.class.getName());

  /** The unsent-age series written with the samples, for the built-in alert. */
  public static final String UNSENT_METRIC = "tillwatch_report_unsent_seconds";

  /** How long an unsent report is retried. */
  static final Duration KEPT_TRYING = Duration.ofDays(8);

  private static final Duration MAX_BACKOFF = Duration.ofHours(1);

  private final ReportsConfig.Weekly config;
  private final ReportFacts facts;
  private final ReportSends sends;
  private final ReportRenderer renderer;
  private final ReportMailer mailer;
  private final MeterRegistry meters;
  private final Predicate<SampleBatch> record;
  private final Clock clock;
  private volatile String owner; // host/pid, looked up on the first send (no I/O when built)
  private final HealthState health;
  private final Map<String, Double> unsent = new ConcurrentHashMap<>();

  public WeeklyReports(
      ReportsConfig.Weekly config,
      ReportFacts facts,
      ReportSends sends,
      ReportRenderer renderer,
      ReportMailer mailer,
      MeterRegistry meters,
      Predicate<SampleBatch> record,
      Clock clock) {
    this.config = config;
    this.facts = facts;
    this.sends = sends;
    this.renderer = renderer;
    this.mailer = mailer;
    this.meters = meters;
    this.record = record;
    this.clock = clock;
    this.health = new HealthState(clock);
    for (String subject : config.recipients().keySet()) {
      unsent.put(subject, 0.0);
      Gauge.builder("tillwatch.report.unsent.seconds", unsent, u -> u.getOrDefault(subject, 0.0))
          .description("How long the due weekly report has waited unsent (0: sent or not due)")
          .tag("tenant", subject)
          .register(meters);
    }
  }

  /** Its series go (a reload replaced it); sends already claimed stay claimed in storage. */
  public void close() {
    for (String subject : unsent.keySet()) {
      var gauge = meters.find("tillwatch.report.unsent.seconds").tag("tenant", subject).gauge();
      if (gauge != null) {
        meters.remove(gauge);
      }
    }
  }

  private static String owner() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "unknown";
    }
    return host + "/" + ProcessHandle.current().pid();
  }

  @Override
  public Health check() {
    return health.check();
  }

  /** A report's week and when it is due. */
  public record Due(IsoWeek week, Instant at) {}

  /**
   * The latest report due at {@code now} in {@code zone}: the week before the one whose {@code day}
   * at {@code time} has passed (Monday 08:00 sends the week that ended at midnight).
   */
  public static Due due(Instant now, ZoneId zone, DayOfWeek day, LocalTime time) {
    LocalDate monday =
        LocalDate.ofInstant(now, zone).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    Instant at =
        monday.with(TemporalAdjusters.nextOrSame(day)).atTime(time).atZone(zone).toInstant();
    if (now.isBefore(at)) {
      monday = monday.minusWeeks(1);
      at = monday.with(TemporalAdjusters.nextOrSame(day)).atTime(time).atZone(zone).toInstant();
    }
    return new Due(IsoWeek.of(monday).plus(-1), at);
  }

  /** The zone a report is sent in: the tenant's, or the estate's for its summary. */
  public ZoneId zone(String subject) {
    return WeeklyReport.ESTATE.equals(subject) ? config.estateZone() : facts.zone(subject);
  }

  /** Renders one report now (no claim, nothing sent). */
  public RenderedReport render(String subject, IsoWeek week) throws SQLException {
    return renderer.render(facts.report(subject, week, config.estateZone()));
  }

  /** The Message-ID of a report: the same for every attempt and replica. */
  public String messageId(String subject, IsoWeek week) {
    return messageId(config.smtp(), subject, week.toString());
  }

  /** {@code <tillwatch.report.SUBJECT.WEEK@the sender's domain>}. */
  static String messageId(
      io.tillwatch.alerting.report.SmtpConfig smtp, String subject, String week) {
    String domain = smtp.from().getAddress();
    domain = domain.substring(domain.indexOf('@') + 1);
    return "<tillwatch.report." + subject + "." + week + "@" + domain + ">";
  }

  /** When the attempt after {@code attempts} failed ones may run: 1 min doubling, at most 1 h. */
  static Instant nextAttempt(Instant now, int attempts) {
    Duration wait = Duration.ofMinutes(1L << Math.min(attempts, 6));
    return now.plus(wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait);
  }

  /**
   * Records the reports due now, then claims, renders and sends them one by one until none is left
   * that no other replica holds; how many were sent.
   */
  private volatile Predicate<String> mine = subject -> true;

  /**
   * Replicas: this collector sends and watches the reports of the subjects {@code mine} accepts (a
   * tenant id, or {@code estate}) only; the others' are another replica's.
   */
  public void onlySubjects(Predicate<String> mine) {
    this.mine = mine;
  }

  private Set<String> subjects() {
    Set<String> out = new java.util.TreeSet<>();
    for (String s : config.recipients().keySet()) {
      if (mine.test(s)) {
        out.add(s);
      }
    }
    return out;
  }

  public int runOnce() {
    Instant now = clock.instant();
    int sent = 0;
    try {
      for (String subject : config.recipients().keySet()) {
        Due d = due(now, zone(subject), config.day(), config.time());
        sends.due(subject, d.week().toString(), d.at());
      }
      while (true) {
        Optional<ReportSends.Claim> c = sends.claim(now.minus(KEPT_TRYING), now, subjects());
        if (c.isEmpty()) {
          break;
        }
        try (ReportSends.Claim claim = c.get()) {
          sent += send(claim, now) ? 1 : 0;
        }
      }
      observeUnsent(now);
      health.succeeded();
    } catch (SQLException | RuntimeException e) {
      health.failed("weekly reports: " + e.getMessage());
      LOG.log(System.Logger.Level.WARNING, "weekly reports: " + e.getMessage());
    }
    return sent;
  }

  private boolean send(ReportSends.Claim claim, Instant now) throws SQLException {
    String subject = claim.report();
    IsoWeek week = IsoWeek.parse(claim.week());
    String id = messageId(subject, week);
    Instant next = nextAttempt(now, claim.attempts());
    RenderedReport r;
    try {
      r = render(subject, week);
    } catch (SQLException | RuntimeException e) {
      failed(subject, "render");
      claim.failed(next, "render", String.valueOf(e.getMessage()));
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot render the weekly report of " + subject + " " + week + ": " + e.getMessage());
      return false;
    }
    try {
      mailer.send(r, config.recipients().get(subject), id, clock.instant());
    } catch (ReportMailer.SendException e) {
      String reason = e.reason().name().toLowerCase(Locale.ROOT);
      failed(subject, reason);
      claim.failed(next, reason, String.valueOf(e.getMessage()));
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot send the weekly report of "
              + subject
              + " "
              + week
              + " ("
              + reason
              + "): "
              + e.getMessage()
              + "; next attempt "
              + next);
      return false;
    }
    if (owner == null) {
      owner = owner();
    }
    claim.sent(clock.instant(), id, owner);
    Counter.builder("tillwatch.report.sent")
        .description("Weekly SLO reports sent")
        .tag("tenant", subject)
        .register(meters)
        .increment();
    LOG.log(System.Logger.Level.INFO, "sent the weekly report of " + subject + " " + week);
    return true;
  }

  private void failed(String subject, String reason) {
    Counter.builder("tillwatch.report.failures")
        .description("Weekly SLO report attempts that failed, by reason")
        .tag("tenant", subject)
        .tag("reason", reason)
        .register(meters)
        .increment();
  }

  /** How long each subject's oldest due report has waited unsent; written as samples too. */
  private void observeUnsent(Instant now) throws SQLException {
    Map<String, Double> ages = new java.util.HashMap<>();
    for (ReportSends.Unsent u : sends.unsent(now.minus(KEPT_TRYING))) {
      if (config.recipients().containsKey(u.report()) && !u.dueAt().isAfter(now)) {
        ages.merge(u.report(), (double) Duration.between(u.dueAt(), now).toSeconds(), Math::max);
      }
    }
    SampleBatch batch = new SampleBatch();
    for (String subject : subjects()) {
      double age = ages.getOrDefault(subject, 0.0);
      unsent.put(subject, age);
      batch.add(
          new Series(UNSENT_METRIC, Labels.of("tenant", subject)),
          subject,
          now.toEpochMilli(),
          age,
          false);
    }
    if (!record.test(batch)) {
      LOG.log(System.Logger.Level.WARNING, "write queue full: report ages not stored");
    }
  }
}
