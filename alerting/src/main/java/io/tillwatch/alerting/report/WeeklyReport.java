package io.tillwatch.alerting.report;

import io.tillwatch.slo.SloState;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One week's SLO report: for a tenant, or the estate's summary across tenants. Figures only; {@link
 * ReportRenderer} turns it into HTML, text, PDF, PNG charts and CSV.
 *
 * @param subject the tenant id, or {@link #ESTATE}
 * @param title who it is for, in words: the tenant's name, or the estate
 * @param zone the zone the week's days are read in
 * @param generatedAt when the figures were taken
 * @param slos every SLO judged at the week's end (for the estate: every tenant's)
 * @param incidents alerts that fired during the week, oldest first
 * @param maintenance excluded periods that overlapped the week
 * @param signals orders, stock-sync backlog and recovery readiness (empty for the estate)
 * @param promisesKept for the estate: SLOs kept and judged per week, the last 13 weeks
 * @param releases the week's releases and the release guard's verdicts, oldest first
 */
public record WeeklyReport(
    String subject,
    String title,
    IsoWeek week,
    ZoneId zone,
    Instant generatedAt,
    List<SloLine> slos,
    List<Incident> incidents,
    List<Maintenance> maintenance,
    Optional<Signals> signals,
    List<WeekKept> promisesKept,
    List<Release> releases) {
  /** The subject of the estate-wide summary (and its recipients' key). */
  public static final String ESTATE = "estate";

  public WeeklyReport {
    Objects.requireNonNull(week, "week");
    slos = List.copyOf(slos);
    incidents = List.copyOf(incidents);
    maintenance = List.copyOf(maintenance);
    promisesKept = List.copyOf(promisesKept);
    releases = List.copyOf(releases);
  }

  /**
   * A release of the week.
   *
   * @param healthy the release guard's verdict: true when it degraded nothing; empty while its
   *     window runs or when the guard is off
   * @param verdict the verdict in words, with the figures; empty without a verdict
   */
  public record Release(
      String tenant,
      String service,
      String version,
      Instant at,
      Optional<Boolean> healthy,
      String verdict) {}

  /** Whether this is the estate's summary rather than one tenant's report. */
  public boolean estate() {
    return ESTATE.equals(subject);
  }

  /**
   * One tenant × SLO at the week's end.
   *
   * @param window the window in words: {@code 28-day}, {@code monthly}
   * @param attainedWeek the share good over the week's days; empty without data
   * @param attainedWindow the share good over the window up to the week's end
   * @param remaining budget left at the week's end (below 0: overspent)
   * @param remainingWeekBefore budget left at the end of the week before
   * @param peakBurn the highest daily burn rate of the week
   * @param timeToExhaustion at the last day's burn rate, when it burns
   * @param burnDown budget left at the end of each day of the window so far
   * @param weekly attained per week, the last 13 weeks, oldest first
   * @param topAlert the alert of the tenant that fired longest in the week, if any
   */
  public record SloLine(
      String tenant,
      String tenantName,
      String name,
      String description,
      String impact,
      String window,
      double objective,
      SloState state,
      Optional<Double> attainedWeek,
      Optional<Double> attainedWindow,
      Optional<Double> remaining,
      Optional<Double> remainingWeekBefore,
      Optional<Double> peakBurn,
      Optional<Duration> timeToExhaustion,
      String runbookUrl,
      Optional<String> topAlert,
      List<DayValue> burnDown,
      int windowDays,
      List<WeekValue> weekly) {
    public SloLine {
      burnDown = List.copyOf(burnDown);
      weekly = List.copyOf(weekly);
    }

    /** Whether the week met the objective (false without data). */
    public boolean keptThisWeek() {
      return attainedWeek.map(a -> a >= objective).orElse(false);
    }

    /** Budget remaining now less a week before, in shares of the budget. */
    public Optional<Double> change() {
      return remaining.flatMap(r -> remainingWeekBefore.map(b -> r - b));
    }
  }

  /** A day's value, empty when nothing was measured. */
  public record DayValue(LocalDate day, Optional<Double> value) {}

  /** A week's value, empty when nothing was measured. */
  public record WeekValue(IsoWeek week, Optional<Double> value) {}

  /** An estate week: how many tenant × SLO promises were kept of those judged. */
  public record WeekKept(IsoWeek week, int kept, int judged) {}

  /**
   * An alert that fired in the week.
   *
   * @param end when it stopped firing; empty while it still fires at the week's end
   * @param severity {@code page}, {@code ticket}, ...
   * @param risk what it puts at risk ({@code inventory_accuracy}), or empty
   * @param impact the rule's business impact sentence, or empty
   */
  public record Incident(
      String tenant,
      String alertname,
      String severity,
      String risk,
      String impact,
      Instant start,
      Optional<Instant> end,
      Duration duration) {}

  /** An excluded (maintenance) period that overlapped the week. */
  public record Maintenance(String name, Instant start, Instant end) {}

  /**
   * The business side of the week.
   *
   * @param orders orders per day of the week, against the same day a week before
   * @param backlogPeaks the highest stock-sync (queue_job pending) backlog per day
   * @param readiness whether the tenant could recover, against its tier's RPO
   */
  public record Signals(
      List<DayOrders> orders,
      List<DayValue> backlogPeaks,
      Readiness readiness,
      List<StoreWeek> worstStores) {
    public Signals {
      orders = List.copyOf(orders);
      backlogPeaks = List.copyOf(backlogPeaks);
      worstStores = List.copyOf(worstStores);
    }

    /** Without per-store figures (a tenant without {@code stores: true}). */
    public Signals(List<DayOrders> orders, List<DayValue> backlogPeaks, Readiness readiness) {
      this(orders, backlogPeaks, readiness, List.of());
    }
  }

  /**
   * A store's week, from the store continuity SLO's store-minutes.
   *
   * @param store the store's name
   * @param openMinutes minutes it was open by its hours
   * @param badMinutes open minutes it was silent (against its usual rate) or synced late
   * @param longestSilence the longest it went without a sale while open and usually selling
   * @param worstSyncDelay the highest median delay of its orders reaching Odoo
   */
  public record StoreWeek(
      String store,
      double openMinutes,
      double badMinutes,
      Optional<Duration> longestSilence,
      Optional<Duration> worstSyncDelay) {}

  /** Orders of a day and of the same weekday a week before. */
  public record DayOrders(LocalDate day, Optional<Double> orders, Optional<Double> weekBefore) {}

  /**
   * Recovery readiness at the week's end.
   *
   * @param rpo the recovery point objective of the tenant's tier
   * @param lastBackup the last successful backup
   * @param worstArchiveAge the oldest the last archived WAL got during the week: the data a restore
   *     from archive would lose at worst
   * @param archiveFailures WAL archive failures during the week
   * @param streamingShare the share of the week a standby streamed
   * @param rto the recovery time objective of the tenant's tier
   * @param lastDrill the newest successful restore drill, as of the week's end
   * @param drillDuration how long that drill's restore took
   */
  public record Readiness(
      Duration rpo,
      Optional<Instant> lastBackup,
      Optional<Duration> worstArchiveAge,
      Optional<Double> archiveFailures,
      Optional<Double> streamingShare,
      Duration rto,
      Optional<Instant> lastDrill,
      Optional<Duration> drillDuration) {
    /** Whether the newest good restore drill restored within the RTO; empty without one. */
    public Optional<Boolean> withinRto() {
      return drillDuration.map(d -> d.compareTo(rto) <= 0);
    }

    /** Whether the worst recovery point of the week stayed within the RPO; empty if unknown. */
    public Optional<Boolean> withinRpo() {
      return worstArchiveAge.map(a -> a.compareTo(rpo) <= 0);
    }
  }
}
