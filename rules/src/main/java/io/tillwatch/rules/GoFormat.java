package io.tillwatch.rules;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Go's number formatting, as Prometheus's templates and tools print numbers. */
final class GoFormat {
  private GoFormat() {}

  /** {@code %v} / {@code strconv.FormatFloat(v, 'g', -1, 64)}: shortest, exponent past 1e21. */
  static String shortest(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return (1 / v < 0) ? "-0" : "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    int exponent = d.precision() - d.scale() - 1;
    if (exponent < -4 || exponent >= 21) {
      return scientific(d, exponent);
    }
    return d.toPlainString();
  }

  /** {@code %.Ng}: N significant digits, trailing zeros dropped, exponent when needed. */
  static String g(double v, int precision) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return "0";
    }
    BigDecimal d = new BigDecimal(v).round(new MathContext(precision, RoundingMode.HALF_EVEN));
    int exponent = d.precision() - d.scale() - 1;
    d = d.stripTrailingZeros();
    if (exponent < -4 || exponent >= precision) {
      return scientific(d, exponent);
    }
    return d.toPlainString();
  }

  private static String scientific(BigDecimal d, int exponent) {
    BigDecimal mantissa = d.movePointLeft(exponent).stripTrailingZeros();
    String e = Integer.toString(Math.abs(exponent));
    return mantissa.toPlainString()
        + "e"
        + (exponent < 0 ? "-" : "+")
        + (e.length() < 2 ? "0" + e : e);
  }
}
