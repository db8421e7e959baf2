package io.tillwatch.alerting.report;

import com.openhtmltopdf.extend.FSStream;
import com.openhtmltopdf.outputdevice.helper.BaseRendererBuilder;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;

/**
 * Renders a {@link WeeklyReport}: HTML (images by {@code cid:}), plain text, PNG charts, an A4 PDF
 * of the same HTML with the fonts embedded, and CSV files of its tables. Thread-safe.
 */
public final class ReportRenderer {
  static {
    // openhtmltopdf reports every font and style sheet it loads at INFO
    for (String logger : com.openhtmltopdf.util.XRLog.listRegisteredLoggers()) {
      com.openhtmltopdf.util.XRLog.setLevel(logger, Level.WARNING);
    }
  }

  private final ReportBrand brand;
  private final ReportFonts fonts;
  private final Template html;
  private final Template text;

  public ReportRenderer(ReportBrand brand, ReportFonts fonts) {
    this.brand = brand;
    this.fonts = fonts;
    this.html = template("report.html.mustache", true);
    this.text = template("report.txt.mustache", false);
  }

  private static Template template(String name, boolean escape) {
    try (InputStream in = ReportRenderer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the report template " + name + " is missing");
      }
      return Mustache.compiler()
          .escapeHTML(escape)
          .compile(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the report template " + name, e);
    }
  }

  /** Renders everything; charts are drawn once and shared by the HTML and the PDF. */
  public RenderedReport render(WeeklyReport r) {
    Map<String, byte[]> images = new LinkedHashMap<>();
    brand.logo().ifPresent(l -> images.put("logo", l));
    Map<String, List<String>> charts = new LinkedHashMap<>();
    List<String> estateCharts = new ArrayList<>();
    if (r.estate()) {
      images.put("kept", ReportCharts.promisesKept(r.promisesKept()));
      estateCharts.add("kept");
    } else {
      int i = 0;
      for (WeeklyReport.SloLine s : r.slos()) {
        String burn = "burn-" + i;
        String weeks = "weeks-" + i;
        images.put(burn, ReportCharts.burnDown(s));
        images.put(weeks, ReportCharts.weekly(s));
        charts.put(ReportView.key(s), List.of(burn, weeks));
        i++;
      }
    }
    Map<String, Object> view = ReportView.of(r, brand, charts, estateCharts);
    String page = html.execute(view);
    String plain = text.execute(view);
    String name = r.subject() + "-" + r.week();
    String subject =
        r.title() + ": service levels, week " + r.week() + " — " + ReportView.headline(r);
    return new RenderedReport(
        name, subject, page, plain, pdf(page, images), ReportCsv.tables(r, name), images);
  }

  /** The HTML as an A4 PDF; {@code cid:} images come from {@code images}. */
  byte[] pdf(String page, Map<String, byte[]> images) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    PdfRendererBuilder b = new PdfRendererBuilder();
    b.withProducer("tillwatch");
    b.withHtmlContent(page, "cid:report");
    b.useProtocolsStreamImplementation(url -> image(url, images), "cid");
    fonts
        .regular()
        .ifPresent(
            f ->
                b.useFont(
                    f.toFile(),
                    ReportFonts.FAMILY,
                    400,
                    BaseRendererBuilder.FontStyle.NORMAL,
                    true));
    fonts
        .bold()
        .ifPresent(
            f ->
                b.useFont(
                    f.toFile(),
                    ReportFonts.FAMILY,
                    700,
                    BaseRendererBuilder.FontStyle.NORMAL,
                    true));
    b.toStream(out);
    try {
      b.run();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report's PDF", e);
    }
    return out.toByteArray();
  }

  private static FSStream image(String url, Map<String, byte[]> images) {
    String id = url.substring(url.indexOf(':') + 1);
    byte[] png = Optional.ofNullable(images.get(id)).orElse(new byte[0]);
    return new FSStream() {
      @Override
      public InputStream getStream() {
        return new ByteArrayInputStream(png);
      }

      @Override
      public Reader getReader() {
        return new InputStreamReader(getStream(), StandardCharsets.UTF_8);
      }
    };
  }
}
