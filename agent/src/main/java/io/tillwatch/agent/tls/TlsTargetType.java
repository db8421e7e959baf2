package io.tillwatch.agent.tls;

import io.tillwatch.agent.Collector;
import io.tillwatch.agent.CollectorContext;
import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.config.TargetEntry;
import io.tillwatch.agent.config.TlsTargetConfig;
import io.tillwatch.model.HostPort;
import java.util.Set;

/** {@code type: tls}: the certificate chain a TLS endpoint serves. */
public final class TlsTargetType implements TargetType<TlsTargetConfig> {
  @Override
  public String name() {
    return TlsTargetConfig.TYPE;
  }

  @Override
  public Set<String> keys() {
    return Set.of("address", "server_name", "ca_file");
  }

  @Override
  public Class<TlsTargetConfig> configType() {
    return TlsTargetConfig.class;
  }

  @Override
  public TlsTargetConfig read(TargetEntry e) {
    return new TlsTargetConfig(
        e.name(),
        e.required("address").convert(s -> HostPort.parse(e.expand(s))),
        e.optional("server_name").map(n -> e.expand(n.string())).orElse(null),
        e.optional("ca_file").map(e::path),
        e.interval());
  }

  @Override
  public Collector create(TlsTargetConfig config, CollectorContext c) {
    return new TlsCollector(config, c.timeout(), c.blocking(), c.clock());
  }
}
