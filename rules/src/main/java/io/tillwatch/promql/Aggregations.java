package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Value.Sample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Aggregation operators and the quantile maths they share with functions. */
final class Aggregations {
  private Aggregations() {}

  private static final class Group {
    final Labels labels;
    final List<Sample> samples = new ArrayList<>();

    Group(Labels labels) {
      this.labels = labels;
    }
  }

  static List<Sample> aggregate(
      String op,
      List<Sample> in,
      List<String> grouping,
      boolean without,
      double param,
      String labelParam,
      long time,
      LabelsMemo memo) {
    Set<String> names = new HashSet<>(grouping);
    Map<Labels, Group> groups = new LinkedHashMap<>();
    for (Sample s : in) {
      Labels key = memo.apply(s.labels(), l -> groupLabels(l, names, without));
      if (op.equals("count_values")) {
        key = key.with(labelParam, formatValue(s.value()));
      }
      groups.computeIfAbsent(key, Group::new).samples.add(s);
    }
    List<Sample> out = new ArrayList<>();
    for (Group g : groups.values()) {
      switch (op) {
        case "topk", "bottomk" -> {
          int k = (int) param;
          if (k < 1) {
            continue;
          }
          List<Sample> sorted = new ArrayList<>(g.samples);
          boolean top = op.equals("topk");
          // NaN last in both directions: Prometheus never prefers NaN to a number
          Comparator<Sample> c =
              (a, b) -> {
                int nan = compareNanLast(a.value(), b.value());
                if (Double.isNaN(a.value()) || Double.isNaN(b.value())) {
                  return nan;
                }
                return top ? Double.compare(b.value(), a.value()) : nan;
              };
          sorted.sort(c);
          for (int i = 0; i < Math.min(k, sorted.size()); i++) {
            Sample s = sorted.get(i);
            out.add(new Sample(s.labels(), s.value(), time));
          }
        }
        default -> out.add(new Sample(g.labels, fold(op, g.samples, param), time));
      }
    }
    return out;
  }

  /** NaN sorts after every number, whatever the direction. */
  private static int compareNanLast(double a, double b) {
    if (Double.isNaN(a)) {
      return Double.isNaN(b) ? 0 : 1;
    }
    if (Double.isNaN(b)) {
      return -1;
    }
    return Double.compare(a, b);
  }

  private static Labels groupLabels(Labels labels, Set<String> names, boolean without) {
    Map<String, String> kept = new TreeMap<>();
    for (int i = 0; i < labels.size(); i++) {
      String n = labels.names().get(i);
      boolean listed = names.contains(n);
      if (without ? !listed && !n.equals("__name__") : listed) {
        kept.put(n, labels.values().get(i));
      }
    }
    return Labels.of(kept);
  }

  private static double fold(String op, List<Sample> samples, double param) {
    int n = samples.size();
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = samples.get(i).value();
    }
    return switch (op) {
      case "sum" -> {
        double s = 0;
        for (double x : v) {
          s += x;
        }
        yield s;
      }
      case "avg" -> {
        double mean = 0;
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
          mean += x / count - mean / count;
        }
        yield mean;
      }
      case "count" -> n;
      case "group" -> 1;
      case "count_values" -> n;
      case "min" -> RangeFunctions.min(v);
      case "max" -> RangeFunctions.max(v);
      case "stddev", "stdvar" -> {
        double count = 0;
        double mean = 0;
        double aux = 0;
        for (double x : v) {
          count++;
          double delta = x - mean;
          mean += delta / count;
          aux += delta * (x - mean);
        }
        double var = aux / count;
        yield op.equals("stddev") ? Math.sqrt(var) : var;
      }
      case "quantile" -> quantile(param, v);
      default -> throw new PromqlException("unknown aggregation " + op);
    };
  }

  /** The φ-quantile of values, interpolating linearly between ranks (Prometheus's method). */
  static double quantile(double q, double[] values) {
    int n = values.length;
    if (n == 0 || Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    double[] v = nanFirst(values);
    double rank = q * (n - 1);
    int lower = (int) Math.max(0, Math.floor(rank));
    int upper = Math.min(n - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return v[lower] * (1 - weight) + v[upper] * weight;
  }

  /**
   * The values sorted as Prometheus sorts them for a quantile: NaN before every number (its
   * ordering holds NaN less than anything), then ascending.
   */
  private static double[] nanFirst(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v); // NaNs last
    int nans = 0;
    while (nans < v.length && Double.isNaN(v[v.length - 1 - nans])) {
      nans++;
    }
    if (nans > 0) {
      System.arraycopy(v, 0, v, nans, v.length - nans);
      Arrays.fill(v, 0, nans, Double.NaN);
    }
    return v;
  }

  /** The quantile of classic histogram buckets ({bound, cumulative count}), as Prometheus. */
  static double bucketQuantile(double q, List<double[]> in) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    List<double[]> b = new ArrayList<>(in);
    b.sort(Comparator.comparingDouble(x -> x[0]));
    if (b.isEmpty() || b.getLast()[0] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    // coalesce equal bounds, then make the counts monotonic
    List<double[]> c = new ArrayList<>();
    for (double[] x : b) {
      if (!c.isEmpty() && c.getLast()[0] == x[0]) {
        c.getLast()[1] += x[1];
      } else {
        c.add(new double[] {x[0], x[1]});
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double[] x : c) {
      if (x[1] > max) {
        max = x[1];
      } else {
        x[1] = max;
      }
    }
    if (c.size() < 2) {
      return Double.NaN;
    }
    double observations = c.getLast()[1];
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    int i = 0;
    while (i < c.size() - 1 && c.get(i)[1] < rank) {
      i++;
    }
    if (i == c.size() - 1) {
      return c.get(c.size() - 2)[0];
    }
    if (i == 0 && c.get(0)[0] <= 0) {
      return c.get(0)[0];
    }
    double bucketStart = 0;
    double bucketEnd = c.get(i)[0];
    double count = c.get(i)[1];
    if (i > 0) {
      bucketStart = c.get(i - 1)[0];
      count -= c.get(i - 1)[1];
      rank -= c.get(i - 1)[1];
    }
    return bucketStart + (bucketEnd - bucketStart) * (rank / count);
  }

  /** A value as Go's {@code strconv.FormatFloat(v, 'f', -1, 64)} writes it. */
  static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
