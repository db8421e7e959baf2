package io.tillwatch.collector.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrometheusApiStorageTest {
  @Test
  void selectorsCarryTheTenantsAsAnExactRegex() {
    List<Matcher> m =
        List.of(
            Matcher.of("__name__", Matcher.Op.EQ, "up"),
            Matcher.of("job", Matcher.Op.RE, "odoo\"web"));
    assertThat(PrometheusApiStorage.selector(m, null))
        .isEqualTo("{__name__=\"up\",job=~\"odoo\\\"web\"}");
    assertThat(PrometheusApiStorage.selector(m, Set.of("globex", "acme.eu")))
        .isEqualTo("{__name__=\"up\",job=~\"odoo\\\"web\",tenant=~\"acme\\\\.eu|globex\"}");
    // the regex matches the tenant itself and nothing else
    Matcher tenant = Matcher.of("tenant", Matcher.Op.RE, "acme\\.eu|globex");
    assertThat(tenant.matches("acme.eu")).isTrue();
    assertThat(tenant.matches("acmexeu")).isFalse();
  }

  @Test
  void timesAreSecondsWithMilliseconds() {
    assertThat(PrometheusApiStorage.seconds(1_700_000_000_123L)).isEqualTo("1700000000.123");
    assertThat(PrometheusApiStorage.seconds(1_700_000_000_005L)).isEqualTo("1700000000.005");
    assertThat(PrometheusApiStorage.seconds(0)).isEqualTo("0.000");
  }

  @Test
  void aMatrixAnswerGivesEachSeriesItsSamplesInTheRange() {
    String body =
        """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"x","tenant":"acme"},
           "values":[[1699999999.999,"1"],[1700000000,"2.5"],[1700000000.5,"NaN"],
                     [1700000001,"+Inf"],[1700000002,"-Inf"],[1700000003,"7"]]},
          {"metric":{"__name__":"x","tenant":"globex"},"values":[[1699999990,"1"]]}
        ]}}
        """;
    List<SeriesSource.Stored> got =
        PrometheusApiStorage.matrix(
            body.getBytes(StandardCharsets.UTF_8), 1_700_000_000_000L, 1_700_000_002_000L);
    assertThat(got).hasSize(1); // globex has no sample in the range
    SeriesSource.Stored s = got.get(0);
    assertThat(s.labels()).isEqualTo(Labels.of("__name__", "x", "tenant", "acme"));
    assertThat(s.times())
        .containsExactly(
            1_700_000_000_000L, 1_700_000_000_500L, 1_700_000_001_000L, 1_700_000_002_000L);
    assertThat(s.values()[0]).isEqualTo(2.5);
    assertThat(s.values()[1]).isNaN();
    assertThat(s.values()[2]).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(s.values()[3]).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void aSeriesAnswerGivesLabelSetsAndNonsenseIsAnError() {
    assertThat(
            PrometheusApiStorage.labelSets(
                "{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"tenant\":\"acme\"}]}"
                    .getBytes(StandardCharsets.UTF_8)))
        .containsExactly(Labels.of("__name__", "up", "tenant", "acme"));
    assertThatThrownBy(() -> PrometheusApiStorage.matrix("{\"status\":\"error\"}".getBytes(), 0, 1))
        .hasMessageContaining("without data.result");
    assertThatThrownBy(() -> PrometheusApiStorage.matrix("<html>".getBytes(), 0, 1))
        .hasMessageContaining("not JSON");
  }
}
