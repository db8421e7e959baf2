package io.tillwatch.alerting.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The report's tables as CSV (RFC 4180): shares as fractions, durations in seconds. */
final class ReportCsv {
  private ReportCsv() {}

  /** {@code NAME-slos.csv} and {@code NAME-incidents.csv}. */
  static Map<String, String> tables(WeeklyReport r, String name) {
    Map<String, String> out = new LinkedHashMap<>();
    StringBuilder slos =
        new StringBuilder(
            "tenant,slo,window,objective,attained_week,attained_window,budget_remaining,"
                + "budget_remaining_week_before,peak_burn_rate,time_to_exhaustion_seconds,state\r\n");
    for (WeeklyReport.SloLine s : r.slos()) {
      row(
          slos,
          s.tenant(),
          s.name(),
          s.window(),
          num(s.objective()),
          num(s.attainedWeek()),
          num(s.attainedWindow()),
          num(s.remaining()),
          num(s.remainingWeekBefore()),
          num(s.peakBurn()),
          s.timeToExhaustion().map(d -> String.valueOf(d.toSeconds())).orElse(""),
          s.state().label());
    }
    out.put(name + "-slos.csv", slos.toString());
    StringBuilder inc =
        new StringBuilder("tenant,alertname,severity,risk,start,end,duration_seconds,impact\r\n");
    for (WeeklyReport.Incident i : r.incidents()) {
      row(
          inc,
          i.tenant(),
          i.alertname(),
          i.severity(),
          i.risk(),
          i.start().toString(),
          i.end().map(Object::toString).orElse(""),
          String.valueOf(i.duration().toSeconds()),
          i.impact());
    }
    out.put(name + "-incidents.csv", inc.toString());
    return out;
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
  }

  private static String num(Optional<Double> v) {
    return v.map(ReportCsv::num).orElse("");
  }

  private static void row(StringBuilder out, String... cells) {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      String c = cells[i];
      if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
        out.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        out.append(c);
      }
    }
    out.append("\r\n");
  }
}
