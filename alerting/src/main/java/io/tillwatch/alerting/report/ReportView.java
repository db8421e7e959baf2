package io.tillwatch.alerting.report;

import static io.tillwatch.alerting.report.ReportFormat.NONE;

import io.tillwatch.slo.SloState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** A report's figures as the words and numbers its templates print (one context, HTML and text). */
final class ReportView {
  private ReportView() {}

  /** The context of {@code r}'s templates; {@code charts} names each SLO's chart ids. */
  static Map<String, Object> of(
      WeeklyReport r, ReportBrand brand, Map<String, List<String>> charts, List<String> estate) {
    Map<String, Object> v = new HashMap<>();
    v.put("brand", brand.name());
    v.put("logo", brand.logo().isPresent());
    v.put("title", r.title());
    v.put("week", r.week().toString());
    v.put(
        "period",
        ReportFormat.day(r.week().monday())
            + " – "
            + ReportFormat.day(r.week().sunday())
            + " "
            + r.week().sunday().getYear()
            + ", "
            + (r.zone().normalized().equals(java.time.ZoneOffset.UTC) ? "UTC" : r.zone().getId())
            + " time");
    v.put("generated", ReportFormat.when(r.generatedAt(), r.zone()));
    v.put("headline", headline(r));
    v.put("estate", r.estate());
    v.put("tenantColumn", r.estate());
    v.put("states", states());
    v.put(
        "slos",
        r.slos().stream().map(s -> slo(s, charts.getOrDefault(key(s), List.of()))).toList());
    v.put("noSlos", r.slos().isEmpty());
    v.put("estateCharts", estate);
    v.put("heat", heat(r));
    v.put("incidents", r.incidents().stream().map(i -> incident(i, r)).toList());
    v.put("noIncidents", r.incidents().isEmpty());
    v.put(
        "maintenance",
        r.maintenance().stream()
            .map(
                m ->
                    Map.of(
                        "name", m.name(),
                        "from", ReportFormat.when(m.start(), r.zone()),
                        "to", ReportFormat.when(m.end(), r.zone())))
            .toList());
    v.put("hasMaintenance", !r.maintenance().isEmpty());
    v.put("releases", r.releases().stream().map(rel -> release(rel, r)).toList());
    v.put("hasReleases", !r.releases().isEmpty());
    v.put("signals", r.signals().map(s -> signals(s, r)).map(List::of).orElse(List.of()));
    v.put("actions", actions(r));
    v.put("noActions", actions(r).isEmpty());
    return v;
  }

  /** The key of an SLO line's charts. */
  static String key(WeeklyReport.SloLine s) {
    return s.tenant() + "/" + s.name();
  }

  /** The headline in plain words: promises kept, and the SLO that spent most of its budget. */
  static String headline(WeeklyReport r) {
    List<WeeklyReport.SloLine> judged =
        r.slos().stream().filter(s -> s.attainedWeek().isPresent()).toList();
    long kept = judged.stream().filter(WeeklyReport.SloLine::keptThisWeek).count();
    if (judged.isEmpty()) {
      return r.slos().isEmpty()
          ? "No promises (SLOs) apply yet."
          : "No data this week for any of " + r.slos().size() + " promises.";
    }
    StringBuilder h = new StringBuilder();
    h.append(kept).append(" of ").append(judged.size()).append(" promises kept this week");
    if (r.estate()) {
      long tenants = r.slos().stream().map(WeeklyReport.SloLine::tenant).distinct().count();
      h.append(" across ").append(tenants).append(tenants == 1 ? " tenant" : " tenants");
      long risk = r.slos().stream().filter(s -> s.state() == SloState.AT_RISK).count();
      long gone = r.slos().stream().filter(s -> s.state() == SloState.EXHAUSTED).count();
      h.append("; ").append(risk).append(" at risk, ").append(gone).append(" exhausted");
      return h.append('.').toString();
    }
    r.slos().stream()
        .filter(s -> s.remaining().isPresent())
        .min(Comparator.comparingDouble(s -> s.remaining().get()))
        .filter(s -> s.remaining().get() < 1)
        .ifPresent(
            s ->
                h.append("; ")
                    .append(s.name())
                    .append(" used ")
                    .append(ReportFormat.percent(Math.max(0, 1 - s.remaining().get()), 0))
                    .append(" of its ")
                    .append(s.window())
                    .append(" budget"));
    return h.append('.').toString();
  }

  private static List<Map<String, String>> states() {
    List<Map<String, String>> out = new ArrayList<>();
    for (SloState s : SloState.values()) {
      out.add(Map.of("label", s.label(), "meaning", s.meaning(), "css", css(s)));
    }
    return out;
  }

  static String css(SloState s) {
    return "s-" + s.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static Map<String, Object> slo(WeeklyReport.SloLine s, List<String> charts) {
    Map<String, Object> m = new HashMap<>();
    m.put("tenant", s.tenantName());
    m.put("name", s.name());
    m.put("description", s.description());
    m.put("objective", ReportFormat.percent(s.objective(), 3));
    m.put("window", s.window());
    m.put("attainedWeek", ReportFormat.attained(s.attainedWeek()));
    m.put("kept", s.attainedWeek().isEmpty() ? NONE : s.keptThisWeek() ? "kept" : "missed");
    m.put("attainedWindow", ReportFormat.attained(s.attainedWindow()));
    m.put("remaining", ReportFormat.budget(s.remaining()));
    m.put("change", ReportFormat.change(s.change()));
    m.put("peakBurn", ReportFormat.burn(s.peakBurn()));
    m.put("exhaustion", s.timeToExhaustion().map(ReportFormat::duration).orElse(NONE));
    m.put("state", s.state().label());
    m.put("css", css(s.state()));
    m.put(
        "charts",
        charts.stream()
            .map(
                c ->
                    Map.of(
                        "cid",
                        c,
                        "alt",
                        s.name() + (c.startsWith("burn") ? " burn-down" : " per week")))
            .toList());
    return m;
  }

  private static Map<String, Object> incident(WeeklyReport.Incident i, WeeklyReport r) {
    Map<String, Object> m = new HashMap<>();
    m.put("tenant", i.tenant());
    m.put("alert", i.alertname());
    m.put("severity", i.severity().isEmpty() ? NONE : i.severity());
    m.put("risk", i.risk().isEmpty() ? NONE : i.risk().replace('_', ' '));
    m.put("impact", i.impact().isEmpty() ? NONE : i.impact());
    m.put("start", ReportFormat.when(i.start(), r.zone()));
    m.put(
        "duration",
        ReportFormat.duration(i.duration()) + (i.end().isEmpty() ? " (still firing)" : ""));
    return m;
  }

  private static Map<String, Object> release(WeeklyReport.Release rel, WeeklyReport r) {
    Map<String, Object> m = new HashMap<>();
    m.put("tenant", rel.tenant());
    m.put("what", (rel.service().isEmpty() ? "" : rel.service() + " ") + rel.version());
    m.put("at", ReportFormat.when(rel.at(), r.zone()));
    m.put(
        "verdict",
        rel.healthy().map(h -> h ? "looked healthy" : "degraded").orElse("not judged yet"));
    m.put("degraded", rel.healthy().map(h -> !h).orElse(false));
    m.put("figures", rel.verdict().replaceFirst("^release (looked healthy|degraded [^:]*): ", ""));
    return m;
  }

  private static Map<String, Object> signals(WeeklyReport.Signals s, WeeklyReport r) {
    Map<String, Object> m = new HashMap<>();
    Map<java.time.LocalDate, String> peaks = new HashMap<>();
    for (WeeklyReport.DayValue d : s.backlogPeaks()) {
      peaks.put(d.day(), d.value().map(ReportFormat::count).orElse(NONE));
    }
    List<Map<String, String>> orders = new ArrayList<>();
    for (WeeklyReport.DayOrders d : s.orders()) {
      String change = NONE;
      if (d.orders().isPresent() && d.weekBefore().isPresent() && d.weekBefore().get() > 0) {
        double c = d.orders().get() / d.weekBefore().get() - 1;
        change = (c >= 0 ? "+" : "−") + ReportFormat.percent(Math.abs(c), 0);
      }
      orders.add(
          Map.of(
              "day", ReportFormat.day(d.day()),
              "orders", d.orders().map(ReportFormat::count).orElse(NONE),
              "before", d.weekBefore().map(ReportFormat::count).orElse(NONE),
              "change", change,
              "peak", peaks.getOrDefault(d.day(), NONE)));
    }
    m.put("orders", orders);
    List<Map<String, String>> stores = new ArrayList<>();
    for (WeeklyReport.StoreWeek w : s.worstStores()) {
      stores.add(
          Map.of(
              "store", w.store(),
              "bad",
                  ReportFormat.duration(java.time.Duration.ofMinutes(Math.round(w.badMinutes()))),
              "good",
                  w.openMinutes() > 0
                      ? ReportFormat.percent(1 - w.badMinutes() / w.openMinutes(), 1)
                      : NONE,
              "silence", w.longestSilence().map(ReportFormat::duration).orElse(NONE),
              "delay", w.worstSyncDelay().map(ReportFormat::duration).orElse(NONE)));
    }
    m.put("stores", stores);
    m.put("hasStores", !stores.isEmpty());
    WeeklyReport.Readiness rd = s.readiness();
    m.put("rpo", ReportFormat.duration(rd.rpo()));
    m.put(
        "lastBackup",
        rd.lastBackup().map(t -> ReportFormat.when(t, r.zone())).orElse("none recorded"));
    m.put("worstArchive", rd.worstArchiveAge().map(ReportFormat::duration).orElse("not measured"));
    m.put(
        "withinRpo",
        rd.withinRpo().map(ok -> ok ? "within the RPO" : "BEYOND the RPO").orElse("unknown"));
    m.put("archiveFailures", rd.archiveFailures().map(ReportFormat::count).orElse(NONE));
    m.put(
        "streaming",
        rd.streamingShare().map(sh -> ReportFormat.percent(sh, 1)).orElse("not measured"));
    m.put("rto", ReportFormat.duration(rd.rto()));
    m.put(
        "lastDrill",
        rd.lastDrill().map(t -> ReportFormat.when(t, r.zone())).orElse("none recorded"));
    m.put(
        "drillDuration",
        rd.drillDuration()
            .map(
                d ->
                    "took "
                        + ReportFormat.duration(d)
                        + ", "
                        + (d.compareTo(rd.rto()) <= 0 ? "within the RTO" : "BEYOND the RTO"))
            .orElse("duration unknown"));
    return m;
  }

  private static List<Map<String, String>> actions(WeeklyReport r) {
    List<Map<String, String>> out = new ArrayList<>();
    for (WeeklyReport.SloLine s : r.slos()) {
      if (s.state() == SloState.AT_RISK || s.state() == SloState.EXHAUSTED) {
        out.add(
            Map.of(
                "tenant", s.tenantName(),
                "name", s.name(),
                "state", s.state().label(),
                "css", css(s.state()),
                "runbook", s.runbookUrl().isEmpty() ? NONE : s.runbookUrl(),
                "alert", s.topAlert().orElse("no alert fired this week"),
                "impact", s.impact()));
      }
    }
    return out;
  }

  /** The estate's heat-table: tenants × SLOs, each cell the budget left and its state. */
  private static Map<String, Object> heat(WeeklyReport r) {
    if (!r.estate()) {
      return Map.of("show", false);
    }
    Set<String> sloNames = new LinkedHashSet<>();
    Map<String, Map<String, WeeklyReport.SloLine>> byTenant = new LinkedHashMap<>();
    for (WeeklyReport.SloLine s : r.slos()) {
      sloNames.add(s.name());
      byTenant.computeIfAbsent(s.tenantName(), k -> new HashMap<>()).put(s.name(), s);
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    byTenant.forEach(
        (tenant, slos) -> {
          List<Map<String, String>> cells = new ArrayList<>();
          for (String name : sloNames) {
            WeeklyReport.SloLine s = slos.get(name);
            cells.add(
                s == null
                    ? Map.of("text", "n/a", "state", "", "css", "s-none")
                    : Map.of(
                        "text",
                        ReportFormat.budget(s.remaining()),
                        "state",
                        s.state().label(),
                        "css",
                        css(s.state())));
          }
          rows.add(Map.of("tenant", tenant, "cells", cells));
        });
    return Map.of(
        "show", true, "slos", sloNames.stream().map(n -> Map.of("name", n)).toList(), "rows", rows);
  }
}
