package io.tillwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.agent.config.TargetConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class TargetTypesTest {
  @Test
  void everyTypeIsOneEntryByItsName() {
    assertThat(TargetTypes.all().stream().map(TargetType::name))
        .containsExactly(
            "postgres", "redis", "pgbackrest", "walg", "backup_status", "odoo", "traefik", "tls");
    for (TargetType<?> t : TargetTypes.all()) {
      assertThat(TargetTypes.named(t.name())).containsSame(t);
      assertThat(t.keys()).doesNotContain("type", "name", "interval");
    }
    assertThat(TargetTypes.named("mysql")).isEmpty();
  }

  @Test
  void aConfigOfAnUnknownTypeIsRefused() {
    TargetConfig unknown =
        new TargetConfig() {
          @Override
          public String name() {
            return "x";
          }

          @Override
          public String type() {
            return "mysql";
          }

          @Override
          public Optional<Duration> interval() {
            return Optional.empty();
          }
        };
    CollectorContext context =
        new CollectorContext(
            Duration.ofSeconds(1),
            Executors.newVirtualThreadPerTaskExecutor(),
            java.time.Clock.systemUTC());
    assertThatThrownBy(() -> TargetTypes.create(unknown, context))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown type mysql");
  }
}
