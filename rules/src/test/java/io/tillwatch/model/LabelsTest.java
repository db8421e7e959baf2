package io.tillwatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LabelsTest {
  @Test
  void sortsByNameAndComparesByValue() {
    Labels a = Labels.of("target", "pg1", "tenant", "acme");
    Labels b = Labels.of("tenant", "acme", "target", "pg1");
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.names()).containsExactly("target", "tenant");
    assertThat(a.with("target", "pg2")).isNotEqualTo(a);
  }

  @Test
  void getFindsEveryLabelInSmallAndLargeSets() {
    for (int n : new int[] {1, 3, 8, 9, 20}) {
      java.util.Map<String, String> m = new java.util.HashMap<>();
      for (int i = 0; i < n; i++) {
        m.put("l" + (char) ('a' + i), "v" + i);
      }
      Labels l = Labels.of(m);
      m.forEach((k, v) -> assertThat(l.get(new String(k))).as(n + " labels").isEqualTo(v));
      assertThat(l.get("zz")).isNull();
      assertThat(l.get("l")).isNull();
    }
  }

  @Test
  void dropsEmptyValuesAndEscapesInToString() {
    Labels l = Labels.of("a", "", "b", "x\"y\\z\n");
    assertThat(l.size()).isEqualTo(1);
    assertThat(l.toString()).isEqualTo("{b=\"x\\\"y\\\\z\\n\"}");
  }

  @Test
  void rejectsInvalidNames() {
    assertThatThrownBy(() -> Labels.of("1a", "x")).hasMessageContaining("1a");
    assertThatThrownBy(() -> Labels.of("a")).hasMessageContaining("odd");
  }

  @Test
  void counterAndInfoNamesCarryTheirSuffix() {
    assertThatThrownBy(() -> Metric.counter("x_count", "h")).hasMessageContaining("_total");
    assertThatThrownBy(() -> Metric.info("x", "h")).hasMessageContaining("_info");
    assertThat(Metric.gauge("x_bytes", "h").sample(3, "a", "b").labels().get("a")).isEqualTo("b");
  }
}
