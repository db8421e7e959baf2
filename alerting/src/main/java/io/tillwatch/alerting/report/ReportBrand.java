package io.tillwatch.alerting.report;

import java.util.Optional;

/**
 * Who sends the report: a name in its header and, optionally, a logo (PNG or JPEG bytes).
 *
 * @param name shown at the top of every report, e.g. the hosting company
 */
public record ReportBrand(String name, Optional<byte[]> logo) {
  /** The default: tillwatch, no logo. */
  public static final ReportBrand DEFAULT = new ReportBrand("tillwatch", Optional.empty());

  public ReportBrand {
    if (name == null || name.isBlank()) {
      name = "tillwatch";
    }
    logo = logo.map(byte[]::clone);
  }
}
