package io.tillwatch.collector.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Sample values in API answers as Prometheus writes them: Go's {@code FormatFloat(v, 'f', -1)}. */
class ValueFormatTest {
  @Test
  void shortestDigitsWithoutExponent() {
    assertThat(QueryApi.format(1)).isEqualTo("1");
    assertThat(QueryApi.format(2.5)).isEqualTo("2.5");
    assertThat(QueryApi.format(0.1)).isEqualTo("0.1");
    assertThat(QueryApi.format(-3.75)).isEqualTo("-3.75");
    assertThat(QueryApi.format(0.001)).isEqualTo("0.001");
    assertThat(QueryApi.format(1.5e-7)).isEqualTo("0.00000015");
    assertThat(QueryApi.format(-1.5e-7)).isEqualTo("-0.00000015");
    assertThat(QueryApi.format(1e7)).isEqualTo("10000000");
    assertThat(QueryApi.format(123456789.125)).isEqualTo("123456789.125");
    assertThat(QueryApi.format(1e21)).isEqualTo("1000000000000000000000");
    assertThat(QueryApi.format(0.30000000000000004)).isEqualTo("0.30000000000000004");
    assertThat(QueryApi.format(5e-324)).isEqualTo("0." + "0".repeat(323) + "5");
    assertThat(QueryApi.format(1e-323)).isEqualTo("0." + "0".repeat(322) + "1");
    assertThat(QueryApi.format(2.5e-5)).isEqualTo("0.000025");
    assertThat(QueryApi.format(3e-5)).isEqualTo("0.00003");
  }

  @Test
  void negativeZeroAndSpecialValuesAsGoWritesThem() {
    assertThat(QueryApi.format(-0.0)).isEqualTo("-0");
    assertThat(QueryApi.format(0.0)).isEqualTo("0");
    assertThat(QueryApi.format(Double.NaN)).isEqualTo("NaN");
    assertThat(QueryApi.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
    assertThat(QueryApi.format(Double.NEGATIVE_INFINITY)).isEqualTo("-Inf");
  }
}
