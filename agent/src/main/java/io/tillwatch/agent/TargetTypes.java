package io.tillwatch.agent;

import io.tillwatch.agent.backup.BackupTargetTypes;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.odoo.OdooTargetType;
import io.tillwatch.agent.postgres.PostgresTargetType;
import io.tillwatch.agent.redis.RedisTargetType;
import io.tillwatch.agent.traefik.TraefikTargetType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every target type the agent knows, by {@code type:} name: the one registry. */
public final class TargetTypes {
  private static final List<TargetType<?>> ALL =
      List.of(
          new PostgresTargetType(),
          new RedisTargetType(),
          BackupTargetTypes.PGBACKREST,
          BackupTargetTypes.WALG,
          BackupTargetTypes.STATUS_FILE,
          new OdooTargetType(),
          new TraefikTargetType(),
          new io.tillwatch.agent.tls.TlsTargetType());

  private static final Map<String, TargetType<?>> BY_NAME = byName();

  private TargetTypes() {}

  private static Map<String, TargetType<?>> byName() {
    Map<String, TargetType<?>> m = new LinkedHashMap<>();
    for (TargetType<?> t : ALL) {
      if (m.put(t.name(), t) != null) {
        throw new IllegalStateException("two target types named " + t.name());
      }
    }
    return Map.copyOf(m);
  }

  /** Every type. */
  public static List<TargetType<?>> all() {
    return ALL;
  }

  /** The type of this {@code type:} name. */
  public static Optional<TargetType<?>> named(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** A new collector for {@code target}, by its type's entry. */
  public static Collector create(TargetConfig target, CollectorContext context) {
    TargetType<?> type =
        named(target.type())
            .orElseThrow(() -> new IllegalArgumentException("unknown type " + target.type()));
    return create(type, target, context);
  }

  private static <C extends TargetConfig> Collector create(
      TargetType<C> type, TargetConfig target, CollectorContext context) {
    return type.create(type.configType().cast(target), context);
  }
}
