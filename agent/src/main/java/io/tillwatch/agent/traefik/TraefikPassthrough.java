package io.tillwatch.agent.traefik;

import io.tillwatch.agent.config.TraefikTargetConfig;
import io.tillwatch.model.Metric;
import io.tillwatch.model.MetricType;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure: picks a tenant's series out of a Traefik exposition, values unchanged. Service and router
 * series whose {@code service} is the tenant's; TLS certificates whose {@code cn} or {@code sans}
 * name one of the tenant's hosts. Entry-point series are shared by every tenant and stay out.
 */
final class TraefikPassthrough {
  private final TraefikTargetConfig target;
  private final Map<String, Metric> metrics = new HashMap<>();

  TraefikPassthrough(TraefikTargetConfig target) {
    this.target = target;
  }

  List<Sample> samples(List<ParsedSample> parsed) {
    List<Sample> out = new ArrayList<>();
    for (ParsedSample p : parsed) {
      if (p.name().endsWith("_created") || !owned(p)) {
        continue;
      }
      Metric m = metric(p);
      String suffix =
          m.type() == MetricType.HISTOGRAM ? p.name().substring(p.family().length()) : "";
      out.add(new Sample(m, suffix, p.labels(), p.value()));
    }
    return out;
  }

  private boolean owned(ParsedSample p) {
    String family = p.family();
    if (family.startsWith("traefik_service_") || family.startsWith("traefik_router_")) {
      return target.ownsService(p.labels().get("service"));
    }
    if (family.equals("traefik_tls_certs_not_after")) {
      if (target.ownsHost(String.valueOf(p.labels().get("cn")))) {
        return true;
      }
      String sans = p.labels().get("sans");
      if (sans != null) {
        for (String san : sans.split(",")) {
          if (target.ownsHost(san.trim())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private Metric metric(ParsedSample p) {
    String help = p.help().isEmpty() ? "From Traefik." : p.help();
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
