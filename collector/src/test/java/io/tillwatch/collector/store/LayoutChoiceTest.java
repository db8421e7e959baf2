package io.tillwatch.collector.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.collector.config.StorageConfig.Layout;
import io.tillwatch.config.StartupException;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The layout decision for every combination of what the server reports (extension available,
 * preloaded, created; the layout an existing database has) and {@code storage.layout}.
 */
class LayoutChoiceTest {
  @ParameterizedTest(
      name = "existing {0}, setting {1}, available {2}, preloaded {3}, created {4} -> {5}")
  @CsvSource({
    "none       , auto       , false, false, false, plain",
    "none       , auto       , false, false, true , plain",
    "none       , auto       , false, true , false, plain",
    "none       , auto       , false, true , true , plain",
    "none       , auto       , true , false, false, plain+warning",
    "none       , auto       , true , false, true , timescaledb",
    "none       , auto       , true , true , false, timescaledb",
    "none       , auto       , true , true , true , timescaledb",
    "none       , plain      , false, false, false, plain",
    "none       , plain      , false, false, true , plain",
    "none       , plain      , false, true , false, plain",
    "none       , plain      , false, true , true , plain",
    "none       , plain      , true , false, false, plain",
    "none       , plain      , true , false, true , plain",
    "none       , plain      , true , true , false, plain",
    "none       , plain      , true , true , true , plain",
    "none       , timescaledb, false, false, false, refused:does not offer",
    "none       , timescaledb, false, false, true , refused:does not offer",
    "none       , timescaledb, false, true , false, refused:does not offer",
    "none       , timescaledb, false, true , true , refused:does not offer",
    "none       , timescaledb, true , false, false, refused:not preloaded",
    "none       , timescaledb, true , false, true , timescaledb",
    "none       , timescaledb, true , true , false, timescaledb",
    "none       , timescaledb, true , true , true , timescaledb",
    "plain      , auto       , false, false, false, plain",
    "plain      , auto       , false, false, true , plain",
    "plain      , auto       , false, true , false, plain",
    "plain      , auto       , false, true , true , plain",
    "plain      , auto       , true , false, false, plain",
    "plain      , auto       , true , false, true , plain",
    "plain      , auto       , true , true , false, plain",
    "plain      , auto       , true , true , true , plain",
    "plain      , plain      , false, false, false, plain",
    "plain      , plain      , false, false, true , plain",
    "plain      , plain      , false, true , false, plain",
    "plain      , plain      , false, true , true , plain",
    "plain      , plain      , true , false, false, plain",
    "plain      , plain      , true , false, true , plain",
    "plain      , plain      , true , true , false, plain",
    "plain      , plain      , true , true , true , plain",
    "plain      , timescaledb, false, false, false, refused:created with the plain layout",
    "plain      , timescaledb, false, false, true , refused:created with the plain layout",
    "plain      , timescaledb, false, true , false, refused:created with the plain layout",
    "plain      , timescaledb, false, true , true , refused:created with the plain layout",
    "plain      , timescaledb, true , false, false, refused:created with the plain layout",
    "plain      , timescaledb, true , false, true , refused:created with the plain layout",
    "plain      , timescaledb, true , true , false, refused:created with the plain layout",
    "plain      , timescaledb, true , true , true , refused:created with the plain layout",
    "timescaledb, auto       , false, false, false, refused:cannot load",
    "timescaledb, auto       , false, false, true , refused:cannot load",
    "timescaledb, auto       , false, true , false, refused:cannot load",
    "timescaledb, auto       , false, true , true , refused:cannot load",
    "timescaledb, auto       , true , false, false, refused:cannot load",
    "timescaledb, auto       , true , false, true , timescaledb",
    "timescaledb, auto       , true , true , false, timescaledb",
    "timescaledb, auto       , true , true , true , timescaledb",
    "timescaledb, plain      , false, false, false, refused:created with the timescaledb layout",
    "timescaledb, plain      , false, false, true , refused:created with the timescaledb layout",
    "timescaledb, plain      , false, true , false, refused:created with the timescaledb layout",
    "timescaledb, plain      , false, true , true , refused:created with the timescaledb layout",
    "timescaledb, plain      , true , false, false, refused:created with the timescaledb layout",
    "timescaledb, plain      , true , false, true , refused:created with the timescaledb layout",
    "timescaledb, plain      , true , true , false, refused:created with the timescaledb layout",
    "timescaledb, plain      , true , true , true , refused:created with the timescaledb layout",
    "timescaledb, timescaledb, false, false, false, refused:cannot load",
    "timescaledb, timescaledb, false, false, true , refused:cannot load",
    "timescaledb, timescaledb, false, true , false, refused:cannot load",
    "timescaledb, timescaledb, false, true , true , refused:cannot load",
    "timescaledb, timescaledb, true , false, false, refused:cannot load",
    "timescaledb, timescaledb, true , false, true , timescaledb",
    "timescaledb, timescaledb, true , true , false, timescaledb",
    "timescaledb, timescaledb, true , true , true , timescaledb",
  })
  void decides(
      String existing,
      String setting,
      boolean available,
      boolean preloaded,
      boolean created,
      String expected) {
    LayoutChoice.ServerFacts facts =
        new LayoutChoice.ServerFacts(
            available,
            preloaded,
            created,
            existing.equals("none") ? Optional.empty() : Optional.of(existing));
    Layout configured = Layout.valueOf(setting.toUpperCase(Locale.ROOT));
    if (expected.startsWith("refused:")) {
      assertThatThrownBy(() -> LayoutChoice.decide(facts, configured))
          .isInstanceOf(StartupException.class)
          .hasMessageContaining(expected.substring("refused:".length()))
          .hasMessageContaining("(setting: storage.layout)")
          .satisfies(e -> assertThat(((StartupException) e).setting()).isEqualTo("storage.layout"));
      return;
    }
    LayoutChoice choice = LayoutChoice.decide(facts, configured);
    boolean warns = expected.endsWith("+warning");
    assertThat(choice.layout()).isEqualTo(expected.replace("+warning", ""));
    assertThat(choice.warning().isPresent()).as("warning").isEqualTo(warns);
    if (warns) {
      assertThat(choice.warning().orElseThrow())
          .contains("shared_preload_libraries")
          .contains("restart")
          .contains("storage.layout");
    }
  }
}
