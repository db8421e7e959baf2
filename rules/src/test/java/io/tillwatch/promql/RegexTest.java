package io.tillwatch.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.model.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Regexes are RE2, as in Prometheus: anchored, named groups, no back-references, linear time. */
class RegexTest {
  private static final long T = 1_000_000L;

  private static Value eval(MemorySource data, String expr) {
    return Evaluator.instant(data, T).eval(Parser.parse(expr), T);
  }

  private static MemorySource series(String... labels) {
    return new MemorySource().add(Labels.of(labels), new long[] {T}, new double[] {1});
  }

  @Test
  void matchersAreAnchoredAtBothEnds() {
    MemorySource data = series("__name__", "up", "job", "odoo-acme");
    assertThat(((Value.Vector) eval(data, "up{job=~\"odoo\"}")).samples()).isEmpty();
    assertThat(((Value.Vector) eval(data, "up{job=~\"odoo.*\"}")).samples()).hasSize(1);
    assertThat(((Value.Vector) eval(data, "up{job!~\"acme\"}")).samples()).hasSize(1);
  }

  @Test
  void namedGroupsInPythonSyntaxAreAccepted() {
    MemorySource data = series("__name__", "up", "service", "odoo-acme@kubernetes");
    Value.Vector v =
        (Value.Vector)
            eval(
                data,
                "label_replace(up, \"tenant\", \"$t\", \"service\","
                    + " \"odoo-(?P<t>[a-z]+)@.*\")");
    assertThat(v.samples().get(0).labels().get("tenant")).isEqualTo("acme");
  }

  @Test
  void backReferencesAreAPositionedParseError() {
    assertThatThrownBy(() -> Parser.parse("up{job=~\"(a)\\\\1\"}"))
        .isInstanceOf(PromqlException.class)
        .hasMessage("1:4: parse error: error parsing regexp: invalid escape sequence: `\\1`");
    MemorySource data = series("__name__", "up", "x", "aab");
    assertThatThrownBy(() -> eval(data, "label_replace(up, \"y\", \"\", \"x\", \"(a*)*\\\\1b\")"))
        .isInstanceOf(PromqlException.class)
        .hasMessageContaining("invalid regular expression in label_replace()");
  }

  @Test
  @Timeout(10)
  void aRegexThatBacktracksForHoursElsewhereEndsAtOnce() {
    String as = "a".repeat(20_000);
    MemorySource data = series("__name__", "up", "s", as);
    assertThat(((Value.Vector) eval(data, "up{s=~\"(a*)*b\"}")).samples()).isEmpty();
    assertThat(((Value.Vector) eval(data, "up{s=~\"(a|aa)*\"}")).samples()).hasSize(1);
    List<Value.Sample> replaced =
        ((Value.Vector) eval(data, "label_replace(up, \"y\", \"x\", \"s\", \"(a|a)*c\")"))
            .samples();
    assertThat(replaced.get(0).labels().get("y")).isNull();
  }
}
