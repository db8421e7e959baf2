package io.tillwatch.agent.traefik;

import io.tillwatch.agent.config.TraefikTargetConfig;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure: picks a tenant's series out of a Traefik exposition, values unchanged. Service and router
 * series whose {@code service} is the tenant's; TLS certificates whose {@code cn} or {@code sans}
 * name one of the tenant's hosts. Entry-point series are shared by every tenant and stay out.
 */
final class TraefikPassthrough {
  private final TraefikTargetConfig target;
  private final ExpositionSamples convert = new ExpositionSamples("From Traefik.");

  TraefikPassthrough(TraefikTargetConfig target) {
    this.target = target;
  }

  List<Sample> samples(List<ParsedSample> parsed) {
    List<Sample> out = new ArrayList<>();
    for (ParsedSample p : parsed) {
      Sample s = owned(p) ? convert.of(p) : null;
      if (s != null) {
        out.add(s);
      }
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
}
