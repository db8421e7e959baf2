package io.tillwatch.promql;

import io.tillwatch.promql.Value.Series;
import java.util.Arrays;

/** Functions over a range of one series ({@code rate}, {@code *_over_time}, ...). */
final class RangeFunctions {
  private RangeFunctions() {}

  /** Whether a NaN result means "no sample" (too few points) rather than a NaN value. */
  static boolean noResult(String name, Series s) {
    return switch (name) {
      case "rate", "increase", "delta", "irate", "idelta", "deriv", "predict_linear" ->
          s.size() < 2;
      default -> s.size() == 0;
    };
  }

  static double apply(
      String name, Series s, long rangeStart, long rangeEnd, double param, long evalTime) {
    double[] v = s.values();
    long[] t = s.times();
    int n = v.length;
    return switch (name) {
      case "rate" -> extrapolatedRate(s, rangeStart, rangeEnd, true, true);
      case "increase" -> extrapolatedRate(s, rangeStart, rangeEnd, true, false);
      case "delta" -> extrapolatedRate(s, rangeStart, rangeEnd, false, false);
      case "irate" -> instantValue(s, true);
      case "idelta" -> instantValue(s, false);
      case "deriv" -> n < 2 ? Double.NaN : linearRegression(s, t[0])[0];
      case "predict_linear" -> {
        if (n < 2) {
          yield Double.NaN;
        }
        double[] si = linearRegression(s, evalTime);
        yield si[0] * param + si[1];
      }
      case "resets" -> {
        int r = 0;
        for (int k = 1; k < n; k++) {
          if (v[k] < v[k - 1]) {
            r++;
          }
        }
        yield r;
      }
      case "changes" -> {
        int c = 0;
        for (int k = 1; k < n; k++) {
          if (v[k] != v[k - 1] && !(Double.isNaN(v[k]) && Double.isNaN(v[k - 1]))) {
            c++;
          }
        }
        yield c;
      }
      case "avg_over_time" -> {
        double mean = 0;
        double c = 0;
        int count = 0;
        for (double x : v) {
          count++;
          if (Double.isInfinite(mean)) {
            if (Double.isInfinite(x) && Math.signum(x) != Math.signum(mean)) {
              mean = Double.NaN;
            }
            continue;
          }
          if (Double.isInfinite(x)) {
            mean = x;
            continue;
          }
          double[] sc = kahanSumInc(x / count - mean / count, mean, c);
          mean = sc[0];
          c = sc[1];
        }
        yield Double.isInfinite(mean) ? mean : mean + c;
      }
      case "sum_over_time" -> {
        double sum = 0;
        double c = 0;
        for (double x : v) {
          double[] sc = kahanSumInc(x, sum, c);
          sum = sc[0];
          c = sc[1];
        }
        yield Double.isInfinite(sum) ? sum : sum + c;
      }
      case "count_over_time" -> n;
      case "min_over_time" -> min(v);
      case "max_over_time" -> max(v);
      case "last_over_time" -> v[n - 1];
      case "present_over_time" -> 1;
      case "stddev_over_time" -> Math.sqrt(variance(v));
      case "stdvar_over_time" -> variance(v);
      case "quantile_over_time" -> Aggregations.quantile(param, v.clone());
      default -> throw new PromqlException("unknown function " + name);
    };
  }

  /** The smallest value; NaN only when all are NaN (Prometheus's min). */
  static double min(double[] v) {
    double m = v[0];
    for (double x : v) {
      if (x < m || Double.isNaN(m)) {
        m = x;
      }
    }
    return m;
  }

  /** The largest value; NaN only when all are NaN (Prometheus's max). */
  static double max(double[] v) {
    double m = v[0];
    for (double x : v) {
      if (x > m || Double.isNaN(m)) {
        m = x;
      }
    }
    return m;
  }

  private static double variance(double[] v) {
    double count = 0;
    double mean = 0;
    double cMean = 0;
    double aux = 0;
    double cAux = 0;
    for (double x : v) {
      count++;
      double delta = x - (mean + cMean);
      double[] m = kahanSumInc(delta / count, mean, cMean);
      mean = m[0];
      cMean = m[1];
      double[] a = kahanSumInc(delta * (x - (mean + cMean)), aux, cAux);
      aux = a[0];
      cAux = a[1];
    }
    return (aux + cAux) / count;
  }

  /** Neumaier's compensated addition, as Prometheus sums: {new sum, new compensation}. */
  static double[] kahanSumInc(double inc, double sum, double c) {
    double t = sum + inc;
    if (Math.abs(sum) >= Math.abs(inc)) {
      c += (sum - t) + inc;
    } else {
      c += (inc - t) + sum;
    }
    return new double[] {t, c};
  }

  /**
   * Prometheus's extrapolated rate: the increase between the first and last sample (counter resets
   * added back), extrapolated to the range's edges when the samples come close enough to them, and
   * never below zero for a counter.
   */
  static double extrapolatedRate(
      Series s, long rangeStart, long rangeEnd, boolean counter, boolean perSecond) {
    int n = s.size();
    if (n < 2) {
      return Double.NaN;
    }
    double[] v = s.values();
    long[] t = s.times();
    double result = v[n - 1] - v[0];
    if (counter) {
      double last = v[0];
      for (int k = 1; k < n; k++) {
        if (v[k] < last) {
          result += last;
        }
        last = v[k];
      }
    }
    double durationToStart = (t[0] - rangeStart) / 1000.0;
    double durationToEnd = (rangeEnd - t[n - 1]) / 1000.0;
    double sampled = (t[n - 1] - t[0]) / 1000.0;
    double averageBetween = sampled / (n - 1);
    if (counter && result > 0 && v[0] >= 0) {
      double durationToZero = sampled * (v[0] / result);
      if (durationToZero < durationToStart) {
        durationToStart = durationToZero;
      }
    }
    double threshold = averageBetween * 1.1;
    double extrapolateTo = sampled;
    extrapolateTo += durationToStart < threshold ? durationToStart : averageBetween / 2;
    extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetween / 2;
    double factor = extrapolateTo / sampled;
    if (perSecond) {
      factor /= (rangeEnd - rangeStart) / 1000.0;
    }
    return result * factor;
  }

  private static double instantValue(Series s, boolean rate) {
    int n = s.size();
    if (n < 2) {
      return Double.NaN;
    }
    double last = s.values()[n - 1];
    double previous = s.values()[n - 2];
    double result = rate && last < previous ? last : last - previous;
    if (!rate) {
      return result;
    }
    long interval = s.times()[n - 1] - s.times()[n - 2];
    if (interval == 0) {
      return Double.NaN;
    }
    return result / (interval / 1000.0);
  }

  /** {slope, intercept} of the least-squares line through the samples, x in seconds. */
  private static double[] linearRegression(Series s, long interceptTime) {
    double n = 0;
    double sumX = 0;
    double sumY = 0;
    double sumXY = 0;
    double sumX2 = 0;
    double initY = s.values()[0];
    boolean constY = true;
    for (int k = 0; k < s.size(); k++) {
      double y = s.values()[k];
      if (constY && k > 0 && y != initY) {
        constY = false;
      }
      n++;
      double x = (s.times()[k] - interceptTime) / 1e3;
      sumX += x;
      sumY += y;
      sumXY += x * y;
      sumX2 += x * x;
    }
    if (constY) {
      if (Double.isInfinite(initY)) {
        return new double[] {Double.NaN, Double.NaN};
      }
      return new double[] {0, initY};
    }
    double covXY = sumXY - sumX * sumY / n;
    double varX = sumX2 - sumX * sumX / n;
    double slope = covXY / varX;
    double intercept = sumY / n - slope * sumX / n;
    return new double[] {slope, intercept};
  }

  static double[] sorted(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c;
  }
}
