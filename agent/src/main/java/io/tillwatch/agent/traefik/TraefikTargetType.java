package io.tillwatch.agent.traefik;

import com.google.re2j.Pattern;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.CollectorContext;
import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.config.TargetEntry;
import io.tillwatch.agent.config.TraefikTargetConfig;
import io.tillwatch.config.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code type: traefik}: latency and errors from Traefik's metrics and access log. */
public final class TraefikTargetType implements TargetType<TraefikTargetConfig> {
  @Override
  public String name() {
    return TraefikTargetConfig.TYPE;
  }

  @Override
  public Set<String> keys() {
    return Set.of("url", "services", "hosts", "access_log");
  }

  @Override
  public Class<TraefikTargetConfig> configType() {
    return TraefikTargetConfig.class;
  }

  @Override
  public TraefikTargetConfig read(TargetEntry e) {
    List<Pattern> services = new ArrayList<>();
    for (YamlNode n : e.required("services").list()) {
      services.add(n.convert(TraefikTargetConfig::service));
    }
    List<String> hosts =
        e.optional("hosts")
            .map(n -> n.list().stream().map(YamlNode::string).toList())
            .orElse(List.of());
    return new TraefikTargetConfig(
        e.name(),
        e.httpUrl("url"),
        services,
        hosts,
        e.optional("access_log").map(e::path),
        e.interval());
  }

  @Override
  public Collector create(TraefikTargetConfig config, CollectorContext c) {
    return new TraefikCollector(config, c.timeout(), c.blocking());
  }
}
