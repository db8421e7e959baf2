package io.tillwatch.alerting.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts as PNG: budget burn-down with its ideal line, attained per week against the
 * objective, and the estate's promises kept per week. Lines differ by dash and marker, not only by
 * colour, so a black-and-white print reads the same.
 */
final class ReportCharts {
  static final int WIDTH = 640;
  static final int HEIGHT = 260;
  private static final Color INK = new Color(0x22, 0x22, 0x22);
  private static final Color ACCENT = new Color(0x1f, 0x5f, 0xa8);
  private static final Color GREY = new Color(0x88, 0x88, 0x88);
  private static final BasicStroke DASHED =
      new BasicStroke(
          1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

  private ReportCharts() {}

  /**
   * Budget left (in % of the window's budget) at the end of each day of the window so far, and the
   * ideal line that spends it evenly over the window's {@code windowDays}.
   */
  static byte[] burnDown(WeeklyReport.SloLine slo) {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(slo.name() + ": error budget left over its " + slo.window() + " window")
            .xAxisTitle("day of the window")
            .yAxisTitle("budget left (%)")
            .build();
    style(chart.getStyler());
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    int days = Math.max(1, slo.windowDays());
    XYSeries ideal =
        chart.addSeries("ideal (even spend)", new double[] {0, days}, new double[] {100, 0});
    ideal.setLineColor(GREY);
    ideal.setLineStyle(DASHED);
    ideal.setMarker(SeriesMarkers.NONE);
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    x.add(0.0);
    y.add(100.0);
    for (int i = 0; i < slo.burnDown().size(); i++) {
      int day = i + 1;
      slo.burnDown()
          .get(i)
          .value()
          .ifPresent(
              v -> {
                x.add((double) day);
                y.add(v * 100);
              });
    }
    XYSeries actual = chart.addSeries("budget left", x, y);
    actual.setLineColor(ACCENT);
    actual.setLineStyle(new BasicStroke(2.5f));
    actual.setMarker(SeriesMarkers.CIRCLE);
    actual.setMarkerColor(ACCENT);
    chart.getStyler().setXAxisMin(0.0).setXAxisMax((double) days);
    double low = y.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    chart.getStyler().setYAxisMin(Math.min(0, Math.floor(low / 10) * 10)).setYAxisMax(100.0);
    return png(chart);
  }

  /** Attained per week (bars) against the objective (dashed), the last weeks of {@code slo}. */
  static byte[] weekly(WeeklyReport.SloLine slo) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(slo.name() + ": attained per week")
            .xAxisTitle("ISO week")
            .yAxisTitle("attained (%)")
            .build();
    style(chart.getStyler());
    List<String> weeks = new ArrayList<>();
    List<Double> attained = new ArrayList<>();
    List<Double> objective = new ArrayList<>();
    double low = slo.objective() * 100;
    for (WeeklyReport.WeekValue w : slo.weekly()) {
      weeks.add("W" + String.format("%02d", w.week().week()));
      double v = w.value().map(a -> a * 100).orElse(Double.NaN);
      attained.add(Double.isNaN(v) ? null : v);
      objective.add(slo.objective() * 100);
      if (!Double.isNaN(v)) {
        low = Math.min(low, v);
      }
    }
    CategorySeries bars = chart.addSeries("attained", weeks, attained);
    bars.setFillColor(ACCENT);
    CategorySeries target = chart.addSeries("objective", weeks, objective);
    target.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
    target.setLineColor(INK);
    target.setLineStyle(DASHED);
    target.setMarker(SeriesMarkers.NONE);
    chart.getStyler().setOverlapped(true);
    // bars start below the lowest week so differences of tenths of a percent show
    double span = Math.max(0.5, 100 - low);
    chart.getStyler().setYAxisMin(Math.max(0, low - span * 0.5)).setYAxisMax(100.0);
    chart.getStyler().setYAxisDecimalPattern("0.0#");
    return png(chart);
  }

  /** The estate: the share of tenant × SLO promises kept per week. */
  static byte[] promisesKept(List<WeeklyReport.WeekKept> weeks) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title("Promises kept per week, all tenants")
            .xAxisTitle("ISO week")
            .yAxisTitle("kept (%)")
            .build();
    style(chart.getStyler());
    List<String> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (WeeklyReport.WeekKept w : weeks) {
      x.add("W" + String.format("%02d", w.week().week()));
      y.add(w.judged() == 0 ? null : 100.0 * w.kept() / w.judged());
    }
    if (x.isEmpty()) {
      x.add("-");
      y.add(null);
    }
    CategorySeries s = chart.addSeries("kept", x, y);
    s.setFillColor(ACCENT);
    chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
    return png(chart);
  }

  private static void style(Styler s) {
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderVisible(false);
    s.setChartFontColor(INK);
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    s.setLegendBorderColor(Color.WHITE);
    s.setChartTitleBoxVisible(false);
    s.setAntiAlias(true);
    if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
      a.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      a.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
      a.setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
    }
  }

  private static byte[] png(Chart<?, ?> chart) {
    try {
      return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot draw the chart '" + chart.getTitle() + "'", e);
    }
  }
}
