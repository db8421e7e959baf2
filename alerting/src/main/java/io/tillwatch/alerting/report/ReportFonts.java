package io.tillwatch.alerting.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The TrueType fonts a PDF embeds: DejaVu Sans regular and bold (Debian's {@code
 * fonts-dejavu-core}), so the PDF reads the same on any machine. Without them the PDF falls back to
 * the PDF standard fonts, which readers substitute.
 *
 * @param regular DejaVuSans.ttf
 * @param bold DejaVuSans-Bold.ttf
 */
public record ReportFonts(Optional<Path> regular, Optional<Path> bold) {
  /** Where distributions keep DejaVu. */
  private static final List<Path> DIRS =
      List.of(
          Path.of("/usr/share/fonts/truetype/dejavu"),
          Path.of("/usr/share/fonts/dejavu"),
          Path.of("/usr/share/fonts/dejavu-sans-fonts"),
          Path.of("/usr/share/fonts/TTF"));

  /** No fonts to embed. */
  public static final ReportFonts NONE = new ReportFonts(Optional.empty(), Optional.empty());

  /** The family name the report's style sheet asks for. */
  public static final String FAMILY = "DejaVu Sans";

  /** DejaVu Sans from the first of the usual font directories that has it. */
  public static ReportFonts system() {
    for (Path dir : DIRS) {
      Path regular = dir.resolve("DejaVuSans.ttf");
      if (Files.isReadable(regular)) {
        Path bold = dir.resolve("DejaVuSans-Bold.ttf");
        return new ReportFonts(
            Optional.of(regular), Files.isReadable(bold) ? Optional.of(bold) : Optional.empty());
      }
    }
    return NONE;
  }

  /** Whether the PDF's text font is embedded. */
  public boolean embedded() {
    return regular.isPresent();
  }
}
