package io.tillwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplatesTest {
  private static final Templates.Data DATA =
      new Templates.Data(
          Map.of("tenant", "acme"),
          14.4,
          Map.of(),
          q ->
              q.contains("acme")
                  ? List.of(new Value.Sample(Labels.of(Map.of("slo", "orders")), 0.25, 0))
                  : List.of());

  @Test
  void withQueryFirstValueReadsAnotherSeriesAndElseCoversNoResult() {
    String t =
        "{{ with printf \"budget{tenant=\\\"%s\\\"}\" $labels.tenant | query }}"
            + "{{ . | first | value | humanizePercentage }} of {{ . | first | label \"slo\" }}"
            + "{{ else }}unknown{{ end }}";
    assertThat(Templates.expand(t, DATA)).isEqualTo("25% of orders");
    Templates.Data other =
        new Templates.Data(Map.of("tenant", "globex"), 1, Map.of(), DATA.query());
    assertThat(Templates.expand(t, other)).isEqualTo("unknown");
  }

  @Test
  void ifChoosesByTheValueAndBlocksNest() {
    String t = "{{ if $value }}burning{{ with 2 }} x{{ . }}{{ end }}{{ else }}calm{{ end }}";
    assertThat(Templates.expand(t, DATA)).isEqualTo("burning x2");
    assertThat(Templates.expand(t, new Templates.Data(Map.of(), 0, Map.of()))).isEqualTo("calm");
  }

  @Test
  void aMissingLabelIsEmptyAsInPrometheus() {
    // promtool expands "({{ $labels.cn }})" over a series without cn to "()": $labels is a
    // map[string]string, whose missing keys are the empty string
    String t = "({{ $labels.cn }}{{ with $labels.cn }}!{{ end }}{{ $labels.tenant }})";
    assertThat(Templates.expand(t, DATA)).isEqualTo("(acme)");
  }

  @Test
  void printfRoundsAsGoDoes() {
    // 6.25 is exact in binary: a tie, to even; 0.05 is a little above, so up; 2.675 a little below
    assertThat(Templates.printf("%.1f", List.of(6.25))).isEqualTo("6.2");
    assertThat(Templates.printf("%.1f", List.of(0.05))).isEqualTo("0.1");
    assertThat(Templates.printf("%.2f", List.of(2.675))).isEqualTo("2.67");
    assertThat(Templates.printf("%f", List.of(-0.0000001))).isEqualTo("-0.000000");
    assertThat(Templates.printf("%.0f", List.of(Double.POSITIVE_INFINITY))).isEqualTo("+Inf");
  }

  @Test
  void unbalancedBlocksAndEmptyFirstAreErrors() {
    assertThatThrownBy(() -> Templates.expand("{{ with $value }}x", DATA))
        .hasMessageContaining("without {{end}}");
    assertThatThrownBy(() -> Templates.expand("x{{ end }}", DATA))
        .hasMessageContaining("unexpected {{end}}");
    assertThatThrownBy(() -> Templates.expand("{{ query \"none\" | first | value }}", DATA))
        .hasMessageContaining("no elements");
  }
}
