package io.tillwatch.promql;

import io.tillwatch.promql.Value.Series;
import java.util.Arrays;

/** Functions over a range of one series ({@code rate}, {@code *_over_time}, ...). */
final class RangeFunctions {
  private RangeFunctions() {}

  /** Whether a NaN result means "no sample" (too few points) rather than a NaN value. */
  static boolean noResult(String name, int samples) {
    return switch (name) {
      case "rate", "increase", "delta", "irate", "idelta", "deriv", "predict_linear" -> samples < 2;
      default -> samples == 0;
    };
  }

  static double apply(
      String name, Series s, long rangeStart, long rangeEnd, double param, long evalTime) {
    return apply(name, s.times(), s.values(), 0, s.size(), rangeStart, rangeEnd, param, evalTime);
  }

  /**
   * The function over samples {@code [from, to)} of {@code t} and {@code v} (a window of a longer
   * series: nothing is copied).
   */
  static double apply(
      String name,
      long[] t,
      double[] v,
      int from,
      int to,
      long rangeStart,
      long rangeEnd,
      double param,
      long evalTime) {
    int n = to - from;
    return switch (name) {
      case "rate" -> extrapolatedRate(t, v, from, to, rangeStart, rangeEnd, true, true);
      case "increase" -> extrapolatedRate(t, v, from, to, rangeStart, rangeEnd, true, false);
      case "delta" -> extrapolatedRate(t, v, from, to, rangeStart, rangeEnd, false, false);
      case "irate" -> instantValue(t, v, from, to, true);
      case "idelta" -> instantValue(t, v, from, to, false);
      case "deriv" -> n < 2 ? Double.NaN : linearRegression(t, v, from, to, t[from])[0];
      case "predict_linear" -> {
        if (n < 2) {
          yield Double.NaN;
        }
        double[] si = linearRegression(t, v, from, to, evalTime);
        yield si[0] * param + si[1];
      }
      case "resets" -> {
        int r = 0;
        for (int k = from + 1; k < to; k++) {
          if (v[k] < v[k - 1]) {
            r++;
          }
        }
        yield r;
      }
      case "changes" -> {
        int c = 0;
        for (int k = from + 1; k < to; k++) {
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
        for (int k = from; k < to; k++) {
          double x = v[k];
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
          double inc = x / count - mean / count;
          double sum = mean + inc;
          c += Math.abs(mean) >= Math.abs(inc) ? (mean - sum) + inc : (inc - sum) + mean;
          mean = sum;
        }
        yield Double.isInfinite(mean) ? mean : mean + c;
      }
      case "sum_over_time" -> {
        double sum = 0;
        double c = 0;
        for (int k = from; k < to; k++) {
          double x = v[k];
          double next = sum + x;
          c += Math.abs(sum) >= Math.abs(x) ? (sum - next) + x : (x - next) + sum;
          sum = next;
        }
        yield Double.isInfinite(sum) ? sum : sum + c;
      }
      case "count_over_time" -> n;
      case "min_over_time" -> min(v, from, to);
      case "max_over_time" -> max(v, from, to);
      case "last_over_time" -> v[to - 1];
      case "present_over_time" -> 1;
      case "stddev_over_time" -> Math.sqrt(variance(v, from, to));
      case "stdvar_over_time" -> variance(v, from, to);
      case "quantile_over_time" -> Aggregations.quantile(param, Arrays.copyOfRange(v, from, to));
      default -> throw new PromqlException("unknown function " + name);
    };
  }

  /** The smallest value; NaN only when all are NaN (Prometheus's min). */
  static double min(double[] v) {
    return min(v, 0, v.length);
  }

  private static double min(double[] v, int from, int to) {
    double m = v[from];
    for (int k = from; k < to; k++) {
      double x = v[k];
      if (x < m || Double.isNaN(m)) {
        m = x;
      }
    }
    return m;
  }

  /** The largest value; NaN only when all are NaN (Prometheus's max). */
  static double max(double[] v) {
    return max(v, 0, v.length);
  }

  private static double max(double[] v, int from, int to) {
    double m = v[from];
    for (int k = from; k < to; k++) {
      double x = v[k];
      if (x > m || Double.isNaN(m)) {
        m = x;
      }
    }
    return m;
  }

  private static double variance(double[] v, int from, int to) {
    double count = 0;
    double mean = 0;
    double cMean = 0;
    double aux = 0;
    double cAux = 0;
    for (int k = from; k < to; k++) {
      double x = v[k];
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
      long[] t,
      double[] v,
      int from,
      int to,
      long rangeStart,
      long rangeEnd,
      boolean counter,
      boolean perSecond) {
    int n = to - from;
    if (n < 2) {
      return Double.NaN;
    }
    double first = v[from];
    double result = v[to - 1] - first;
    if (counter) {
      double last = first;
      for (int k = from + 1; k < to; k++) {
        if (v[k] < last) {
          result += last;
        }
        last = v[k];
      }
    }
    double durationToStart = (t[from] - rangeStart) / 1000.0;
    double durationToEnd = (rangeEnd - t[to - 1]) / 1000.0;
    double sampled = (t[to - 1] - t[from]) / 1000.0;
    double averageBetween = sampled / (n - 1);
    if (counter && result > 0 && first >= 0) {
      double durationToZero = sampled * (first / result);
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

  private static double instantValue(long[] t, double[] v, int from, int to, boolean rate) {
    if (to - from < 2) {
      return Double.NaN;
    }
    double last = v[to - 1];
    double previous = v[to - 2];
    double result = rate && last < previous ? last : last - previous;
    if (!rate) {
      return result;
    }
    long interval = t[to - 1] - t[to - 2];
    if (interval == 0) {
      return Double.NaN;
    }
    return result / (interval / 1000.0);
  }

  /** {slope, intercept} of the least-squares line through the samples, x in seconds. */
  private static double[] linearRegression(
      long[] t, double[] v, int from, int to, long interceptTime) {
    double n = 0;
    double sumX = 0;
    double sumY = 0;
    double sumXY = 0;
    double sumX2 = 0;
    double initY = v[from];
    boolean constY = true;
    for (int k = from; k < to; k++) {
      double y = v[k];
      if (constY && k > from && y != initY) {
        constY = false;
      }
      n++;
      double x = (t[k] - interceptTime) / 1e3;
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
