package io.tillwatch.slo;

import io.tillwatch.model.Durations;
import java.time.Duration;

/** The one placeholder of SLI expressions: {@code {{.window}}}, the rate window. */
final class SloTemplates {
  static final String WINDOW = "{{.window}}";

  private SloTemplates() {}

  static String withWindow(String template, Duration window) {
    return template.replace(WINDOW, Durations.format(window));
  }
}
