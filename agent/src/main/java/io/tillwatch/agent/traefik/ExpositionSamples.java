package io.tillwatch.agent.traefik;

import io.tillwatch.model.Metric;
import io.tillwatch.model.MetricType;
import io.tillwatch.model.Sample;
import java.util.HashMap;
import java.util.Map;

/**
 * Parsed exposition samples as the agent's own, values unchanged: counters named {@code _total}
 * stay counters, histograms keep their family with the {@code _bucket}/{@code _sum}/{@code _count}
 * suffix, everything else is a gauge or untyped. One {@link Metric} per family and name, kept.
 */
public final class ExpositionSamples {
  private final String defaultHelp;
  private final Map<String, Metric> metrics = new HashMap<>();

  /**
   * @param defaultHelp the help text of families whose exposition has none
   */
  public ExpositionSamples(String defaultHelp) {
    this.defaultHelp = defaultHelp;
  }

  /** The sample, or null for a {@code _created} series (a counter's start time, not a value). */
  public Sample of(ParsedSample p) {
    if (p.name().endsWith("_created")) {
      return null;
    }
    Metric m = metric(p);
    String suffix = m.type() == MetricType.HISTOGRAM ? p.name().substring(p.family().length()) : "";
    return new Sample(m, suffix, p.labels(), p.value());
  }

  private Metric metric(ParsedSample p) {
    String help = p.help().isEmpty() ? defaultHelp : p.help();
    return metrics.computeIfAbsent(
        p.type() + " " + p.name(),
        k ->
            switch (p.type()) {
              case "counter" ->
                  p.name().endsWith("_total")
                      ? Metric.counter(p.name(), help)
                      : new Metric(p.name(), MetricType.UNKNOWN, help);
              case "gauge" -> Metric.gauge(p.name(), help);
              case "histogram" -> Metric.histogram(p.family(), help);
              default -> new Metric(p.name(), MetricType.UNKNOWN, help);
            });
  }
}
