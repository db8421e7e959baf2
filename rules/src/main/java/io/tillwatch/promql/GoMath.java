package io.tillwatch.promql;

/**
 * Go's {@code math} as Prometheus runs it on amd64, so that results agree to the last bit: {@code
 * Atan2} (Cephes' arctangent), and {@code Exp} and {@code Log}, which Go computes with routines of
 * its own on amd64 rather than with the portable code (Exp: Shibata's method with FMA, as on every
 * x86-64 CPU with AVX and FMA; Log: FreeBSD's polynomial, with frexp done on the bits).
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

  private static final long SIGN = 1L << 63;
  private static final long POS_INF = 0x7FF0000000000000L;
  private static final long NEG_INF = 0xFFF0000000000000L;

  private static final double LOG2E = 1.4426950408889634073599246810018920;
  private static final double LN2U = 0.69314718055966295651160180568695068359375;
  private static final double LN2L = 0.28235290563031577122588448175013436025525412068e-12;
  private static final double EXP_OVERFLOW = 7.09782712893384e+02;

  /** Go's {@code math.Exp} on amd64 with FMA. */
  static double exp(double x) {
    long bits = Double.doubleToRawLongBits(x);
    if ((bits & ~SIGN) >= POS_INF) { // NaN or ±Inf
      return bits == NEG_INF ? 0 : x;
    }
    if (x > EXP_OVERFLOW) {
      return Double.POSITIVE_INFINITY;
    }
    double k = LOG2E * x;
    int e = toInt32(k);
    k = e;
    // x - k·ln2 in two steps (ln2 split in an exact upper half and the rest), scaled by 1/16
    double r = Math.fma(-LN2U, k, x);
    r = Math.fma(-LN2L, k, r);
    r *= 0.0625;
    // e^r - 1 by its Taylor series, then squared up four times: (1 + y)² - 1 = y·(y + 2)
    double p = 2.4801587301587301587e-5;
    p = Math.fma(p, r, 1.9841269841269841270e-4);
    p = Math.fma(p, r, 1.3888888888888888889e-3);
    p = Math.fma(p, r, 8.3333333333333333333e-3);
    p = Math.fma(p, r, 4.1666666666666666667e-2);
    p = Math.fma(p, r, 1.6666666666666666667e-1);
    p = Math.fma(p, r, 0.5);
    p = Math.fma(p, r, 1.0);
    double y = r * p;
    y *= y + 2.0;
    y *= y + 2.0;
    y *= y + 2.0;
    y = Math.fma(y + 2.0, y, 1.0);
    // times 2^e, built in the exponent bits
    int biased = e + 0x3FF;
    if (biased <= 0) {
      if (biased < -52) {
        return 0;
      }
      y *= Double.longBitsToDouble((long) (biased + 0x3FE) << 52);
      return y * Double.longBitsToDouble(1L << 52);
    }
    if (biased >= 0x7FF) {
      return Double.POSITIVE_INFINITY;
    }
    return y * Double.longBitsToDouble((long) biased << 52);
  }

  /** x86's CVTSD2SI: rounded to nearest even; out of range gives the "integer indefinite". */
  private static int toInt32(double v) {
    double r = Math.rint(v);
    return r >= 2147483648.0 || r < -2147483648.0 ? Integer.MIN_VALUE : (int) r;
  }

  private static final double HSQRT2 = 7.07106781186547524401e-01;
  private static final double LN2_HI = 6.93147180369123816490e-01;
  private static final double LN2_LO = 1.90821492927058770002e-10;
  private static final double L1 = 6.666666666666735130e-01;
  private static final double L2 = 3.999999999940941908e-01;
  private static final double L3 = 2.857142874366239149e-01;
  private static final double L4 = 2.222219843214978396e-01;
  private static final double L5 = 1.818357216161805012e-01;
  private static final double L6 = 1.531383769920937332e-01;
  private static final double L7 = 1.479819860511658591e-01;

  /** Go's {@code math.Log} on amd64. */
  static double log(double x) {
    long bits = Double.doubleToRawLongBits(x);
    if ((bits & ~SIGN) == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (bits < 0) {
      return Double.longBitsToDouble(0x7FF8000000000001L); // negative: NaN
    }
    if (bits >= POS_INF) {
      return x; // +Inf or NaN
    }
    // frexp on the bits: f1 in [0.5, 1) from the fraction, k from the exponent field
    double f1 = Double.longBitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FE0000000000000L);
    double k = (int) ((bits >>> 52) & 0x7FF) - 0x3FE;
    if (!(HSQRT2 < f1)) {
      k -= 1;
      f1 *= 2;
    }
    double f = f1 - 1;
    double s = f / (2 + f);
    double s2 = s * s;
    double s4 = s2 * s2;
    double t1 = s2 * (((L7 * s4 + L5) * s4 + L3) * s4 + L1);
    double t2 = s4 * ((L6 * s4 + L4) * s4 + L2);
    double r = t1 + t2;
    double hfsq = 0.5 * f * f;
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
  }

  /** Go's {@code math.Log2}: exact for powers of two, else {@code Log(frac)/Ln2 + exp}. */
  static double log2(double x, double invLn2) {
    if (x == 0 || Double.isNaN(x) || Double.isInfinite(x) || x < 0) {
      return log(x) * invLn2;
    }
    // Go's portable frexp: subnormals normalised first
    int shift = 0;
    double v = x;
    if (Math.abs(v) < Double.MIN_NORMAL) {
      v *= 1L << 52;
      shift = -52;
    }
    long b = Double.doubleToRawLongBits(v);
    int exp = (int) ((b >>> 52) & 0x7FF) - 1022 + shift;
    double frac = Double.longBitsToDouble((b & ~(0x7FFL << 52)) | (1022L << 52));
    if (frac == 0.5) {
      return exp - 1;
    }
    return log(frac) * invLn2 + exp;
  }
}
