package io.tillwatch.alerting.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A report ready to mail or archive.
 *
 * @param name the base of its file names: {@code acme-2026-W48}
 * @param subject the email's subject
 * @param html the HTML body; its images are {@code cid:} references to {@code images}
 * @param text the plain-text body
 * @param pdf the same report as an A4 PDF
 * @param csv CSV files of its tables, by file name
 * @param images PNG images by content id
 */
public record RenderedReport(
    String name,
    String subject,
    String html,
    String text,
    byte[] pdf,
    Map<String, String> csv,
    Map<String, byte[]> images) {
  public RenderedReport {
    csv = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(csv));
    images = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(images));
  }

  /** The PDF attachment's file name. */
  public String pdfName() {
    return name + ".pdf";
  }

  /**
   * Writes the report to {@code dir}: {@code NAME.html} (its images as {@code NAME-ID.png} files
   * beside it), {@code NAME.txt}, {@code NAME.pdf} and the CSV files; the paths written.
   */
  public List<Path> writeTo(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    String page = html;
    for (Map.Entry<String, byte[]> img : images.entrySet()) {
      String file = name + "-" + img.getKey() + ".png";
      out.add(Files.write(dir.resolve(file), img.getValue()));
      page = page.replace("\"cid:" + img.getKey() + "\"", "\"" + file + "\"");
    }
    out.addFirst(Files.writeString(dir.resolve(name + ".html"), page, StandardCharsets.UTF_8));
    out.add(1, Files.writeString(dir.resolve(name + ".txt"), text, StandardCharsets.UTF_8));
    out.add(2, Files.write(dir.resolve(pdfName()), pdf));
    for (Map.Entry<String, String> c : csv.entrySet()) {
      out.add(Files.writeString(dir.resolve(c.getKey()), c.getValue(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
