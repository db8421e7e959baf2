package io.tillwatch.promql;

/**
 * Go's {@code math.Atan2} (Cephes' arctangent, as Go computes it on amd64), so that {@code atan2}
 * gives Prometheus's results to the last bit.
 */
final class GoMath {
  private GoMath() {}

  private static double xatan(double x) {
    final double p0 = -8.750608600031904122785e-01;
    final double p1 = -1.615753718733365076637e+01;
    final double p2 = -7.500855792314704667340e+01;
    final double p3 = -1.228866684490136173410e+02;
    final double p4 = -6.485021904942025371773e+01;
    final double q0 = +2.485846490142306297962e+01;
    final double q1 = +1.650270098316988542046e+02;
    final double q2 = +4.328810604912902668951e+02;
    final double q3 = +4.853903996359136964868e+02;
    final double q4 = +1.945506571482613964425e+02;
    double z = x * x;
    z =
        z
            * ((((p0 * z + p1) * z + p2) * z + p3) * z + p4)
            / (((((z + q0) * z + q1) * z + q2) * z + q3) * z + q4);
    return x * z + x;
  }

  private static double satan(double x) {
    final double morebits = 6.123233995736765886130e-17;
    final double tan3pio8 = 2.41421356237309504880;
    if (x <= 0.66) {
      return xatan(x);
    }
    if (x > tan3pio8) {
      return Math.PI / 2 - xatan(1 / x) + morebits;
    }
    return Math.PI / 4 + xatan((x - 1) / (x + 1)) + 0.5 * morebits;
  }

  static double atan(double x) {
    if (x == 0) {
      return x;
    }
    return x > 0 ? satan(x) : -satan(-x);
  }

  static double atan2(double y, double x) {
    if (Double.isNaN(y)
        || Double.isNaN(x)
        || y == 0
        || x == 0
        || Double.isInfinite(x)
        || Double.isInfinite(y)) {
      return StrictMath.atan2(y, x); // the special cases agree with Go's
    }
    double q = atan(y / x);
    if (x < 0) {
      return q <= 0 ? q + Math.PI : q - Math.PI;
    }
    return q;
  }
}
