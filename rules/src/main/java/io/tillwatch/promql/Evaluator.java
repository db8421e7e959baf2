package io.tillwatch.promql;

import com.google.re2j.PatternSyntaxException;
import io.tillwatch.model.Labels;
import io.tillwatch.promql.Value.Matrix;
import io.tillwatch.promql.Value.Sample;
import io.tillwatch.promql.Value.Scalar;
import io.tillwatch.promql.Value.Series;
import io.tillwatch.promql.Value.Str;
import io.tillwatch.promql.Value.Vector;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates expressions at an instant with Prometheus's semantics: 5-minute lookback, stale
 * markers, extrapolated {@code rate}, vector matching. Pure: samples come from a {@link
 * SeriesSource}.
 */
public final class Evaluator {
  public static final long DEFAULT_LOOKBACK_MILLIS = 5 * 60_000L;

  /** Go's {@code 1/Ln2} and {@code 1/Ln10}: exact constants rounded once, as Go's compiler does. */
  private static final double INV_LN2 = 1.4426950408889634073599246810018921374266459541529859;

  private static final double INV_LN10 =
      0.43429448190325182765112891891660508229439700580366656611445378316586464920887;

  private final SeriesSource source;
  private final long lookback;
  private final long start;
  private final long end;
  private final QueryLimits limits;
  private final long deadline;
  private long samples;

  /**
   * Each selector's samples for every step of the query, read once, stale markers taken out once:
   * steps then find their window by index instead of reading and copying again.
   */
  private final Map<Expr.VectorSelector, Whole> wholes = new java.util.IdentityHashMap<>();

  /**
   * A selector's series over {@code [from, to]}, stale markers removed; {@code unnamed} are their
   * labels without {@code __name__}, computed once.
   */
  private record Whole(
      long from, long to, List<Series> series, List<Labels> unnamed, Cursors cursors) {
    Whole(long from, long to, List<Series> series, List<Labels> unnamed) {
      this(from, to, series, unnamed, new Cursors(series.size()));
    }
  }

  /**
   * Where each series' last window began and ended: a range query's steps move forward, so the next
   * window is found by stepping on from there rather than by searching again.
   */
  private static final class Cursors {
    final int[] from;
    final int[] to;
    long lastStart = Long.MAX_VALUE;

    Cursors(int n) {
      from = new int[n];
      to = new int[n];
    }
  }

  /** Label functions' results per aggregation and binary node: the same series every step. */
  private final Map<Expr.Aggregate, LabelsMemo> aggregateMemos = new java.util.IdentityHashMap<>();

  private final Map<Expr.Binary, LabelsMemo[]> binaryMemos = new java.util.IdentityHashMap<>();

  /** Each subquery's inner results by step time, computed once for all outer steps. */
  private final Map<Expr.Subquery, Map<Long, List<Sample>>> subqueryResults =
      new java.util.IdentityHashMap<>();

  /**
   * @param start the start of a range query ({@code start()} of {@code @}); the instant otherwise
   * @param end the end of a range query ({@code end()} of {@code @})
   */
  public Evaluator(SeriesSource source, long lookbackMillis, long start, long end) {
    this(source, lookbackMillis, start, end, QueryLimits.DEFAULT);
  }

  /** As above, within {@code limits}; the timeout runs from now. */
  public Evaluator(
      SeriesSource source, long lookbackMillis, long start, long end, QueryLimits limits) {
    this.source = source;
    this.lookback = lookbackMillis;
    this.start = start;
    this.end = end;
    this.limits = limits;
    long now = System.nanoTime();
    long timeout = limits.timeout().toNanos();
    this.deadline = Long.MAX_VALUE - now < timeout ? Long.MAX_VALUE : now + timeout;
  }

  /**
   * Starts counting samples afresh: a range query's next step (Prometheus limits what is held at
   * once, not what a whole query touches).
   */
  public void resetSamples() {
    samples = 0;
  }

  /**
   * Counts {@code n} more samples held, and checks the time.
   *
   * @throws QueryLimitException past the sample limit or the deadline
   */
  public void charge(long n) {
    samples = n > limits.maxSamples() - samples ? Long.MAX_VALUE : samples + n;
    if (samples > limits.maxSamples()) {
      throw new QueryLimitException(QueryLimitException.Kind.TOO_MANY_SAMPLES);
    }
    if (System.nanoTime() - deadline > 0) {
      throw new QueryLimitException(QueryLimitException.Kind.TIMEOUT);
    }
  }

  /** An evaluator for instant queries with the default lookback. */
  public static Evaluator instant(SeriesSource source, long time) {
    return new Evaluator(source, DEFAULT_LOOKBACK_MILLIS, time, time);
  }

  /**
   * Each selector node's widest window over the first expression evaluated, subqueries' steps and
   * offsets included: a selector inside a subquery reads its samples once and moves through them
   * step by step, as a range query's selectors do.
   */
  private Map<Expr, long[]> planned;

  /** Evaluates {@code e} at {@code time} (ms). */
  public Value eval(Expr e, long time) {
    if (planned == null) {
      planned = new java.util.IdentityHashMap<>();
      plan(e, start, end);
    }
    return switch (e) {
      case Expr.NumberLiteral n -> new Scalar(time, n.value());
      case Expr.StringLiteral s -> new Str(time, s.value());
      case Expr.Paren p -> eval(p.expr(), time);
      case Expr.VectorSelector vs -> new Vector(instantSelect(vs, time));
      case Expr.MatrixSelector ms -> new Matrix(rangeSelect(ms.selector(), ms.rangeMillis(), time));
      case Expr.Subquery sq -> subquery(sq, time);
      case Expr.Negation n -> negate(eval(n.expr(), time));
      case Expr.Call c -> call(c, time);
      case Expr.Aggregate a -> aggregate(a, time);
      case Expr.Binary b -> binary(b, time);
    };
  }

  // ---- selectors ----

  private long refTime(Expr.VectorSelector vs, long time) {
    long t = time;
    if (vs.at() != null) {
      t = vs.at() == Long.MIN_VALUE ? start : vs.at() == Long.MAX_VALUE ? end : vs.at();
    }
    return t - vs.offsetMillis();
  }

  private List<Sample> instantSelect(Expr.VectorSelector vs, long time) {
    long ref = refTime(vs, time);
    List<Sample> out = new ArrayList<>();
    Whole w = whole(vs, lookback, ref, false);
    if (w != null) {
      for (Series s : w.series()) {
        int k = TimeIndex.lastAtOrBefore(s.times(), ref);
        if (k >= 0 && s.times()[k] >= ref - lookback && !SeriesSource.isStale(s.values()[k])) {
          out.add(new Sample(s.labels(), s.values()[k], s.times()[k]));
        }
      }
      charge(out.size());
      return out;
    }
    for (SeriesSource.Stored s : source.select(vs.matchers(), ref - lookback, ref)) {
      int k = TimeIndex.lastAtOrBefore(s.times(), ref);
      if (k < 0 || s.times()[k] < ref - lookback || SeriesSource.isStale(s.values()[k])) {
        continue;
      }
      out.add(new Sample(s.labels(), s.values()[k], s.times()[k]));
    }
    charge(out.size());
    return out;
  }

  private List<Series> rangeSelect(Expr.VectorSelector vs, long range, long time) {
    long ref = refTime(vs, time);
    List<Series> out = new ArrayList<>();
    for (SeriesSource.Stored s : source.select(vs.matchers(), ref - range, ref)) {
      int n = 0;
      long[] ts = new long[s.times().length];
      double[] vs2 = new double[s.times().length];
      for (int k = 0; k < s.times().length; k++) {
        long t = s.times()[k];
        if (t >= ref - range && t <= ref && !SeriesSource.isStale(s.values()[k])) {
          ts[n] = t;
          vs2[n++] = s.values()[k];
        }
      }
      if (n > 0) {
        charge(n);
        out.add(new Series(s.labels(), Arrays.copyOf(ts, n), Arrays.copyOf(vs2, n)));
      }
    }
    return out;
  }

  /**
   * Plans the reference times each selector of {@code e} is asked at, for evaluations at {@code
   * [lo, hi]}: a subquery moves its expression's times back by its range (and offset). Selectors
   * with {@code @} keep the query's window.
   */
  private void plan(Expr e, long lo, long hi) {
    switch (e) {
      case Expr.VectorSelector vs -> {
        if (vs.at() == null) {
          planned.merge(
              vs,
              new long[] {lo - vs.offsetMillis(), hi - vs.offsetMillis()},
              (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
      }
      case Expr.MatrixSelector ms -> plan(ms.selector(), lo, hi);
      case Expr.Subquery sq -> {
        if (sq.at() == null) {
          plan(sq.expr(), lo - sq.offsetMillis() - sq.rangeMillis(), hi - sq.offsetMillis());
        }
      }
      case Expr.Call c -> c.args().forEach(a -> plan(a, lo, hi));
      case Expr.Aggregate a -> {
        plan(a.expr(), lo, hi);
        if (a.param() != null) {
          plan(a.param(), lo, hi);
        }
      }
      case Expr.Binary b -> {
        plan(b.lhs(), lo, hi);
        plan(b.rhs(), lo, hi);
      }
      case Expr.Negation n -> plan(n.expr(), lo, hi);
      case Expr.Paren p -> plan(p.expr(), lo, hi);
      case Expr.NumberLiteral n -> {}
      case Expr.StringLiteral str -> {}
    }
  }

  /**
   * The selector's whole-query samples when {@code [ref - range, ref]} lies within the query's
   * steps (a selector inside a subquery may ask outside them: then null, and the caller reads). A
   * range selector's series come without stale markers (a range holds none); an instant selector's
   * keep them, since a marker ends the series at its time.
   */
  private Whole whole(Expr.VectorSelector vs, long range, long ref, boolean dropStale) {
    Whole w = wholes.get(vs);
    if (w == null) {
      long[] p = planned == null ? null : planned.get(vs);
      long from = p != null ? p[0] - range : refTime(vs, start) - range;
      long to = p != null ? p[1] : refTime(vs, end);
      if (from > to || ref - range < from || ref > to) {
        return null;
      }
      List<Series> series = new ArrayList<>();
      List<Labels> unnamed = new ArrayList<>();
      for (SeriesSource.Stored s : source.select(vs.matchers(), from, to)) {
        series.add(dropStale ? withoutStale(s) : new Series(s.labels(), s.times(), s.values()));
        unnamed.add(dropName(s.labels()));
      }
      w = new Whole(from, to, series, unnamed);
      wholes.put(vs, w);
    }
    return ref - range < w.from() || ref > w.to() ? null : w;
  }

  private static Series withoutStale(SeriesSource.Stored s) {
    double[] v = s.values();
    int stale = 0;
    for (double x : v) {
      stale += SeriesSource.isStale(x) ? 1 : 0;
    }
    if (stale == 0) {
      return new Series(s.labels(), s.times(), v);
    }
    long[] t = new long[v.length - stale];
    double[] kept = new double[v.length - stale];
    int n = 0;
    for (int k = 0; k < v.length; k++) {
      if (!SeriesSource.isStale(v[k])) {
        t[n] = s.times()[k];
        kept[n++] = v[k];
      }
    }
    return new Series(s.labels(), t, kept);
  }

  private Value subquery(Expr.Subquery sq, long time) {
    long ref = time;
    if (sq.at() != null) {
      ref = sq.at() == Long.MIN_VALUE ? start : sq.at() == Long.MAX_VALUE ? end : sq.at();
    }
    ref -= sq.offsetMillis();
    long step = sq.stepMillis() > 0 ? sq.stepMillis() : 60_000L;
    long first = Math.floorDiv(ref - sq.rangeMillis(), step) * step;
    if (first < ref - sq.rangeMillis()) {
      first += step;
    }
    // every step holds at least one sample: a subquery of too many steps stops before it starts
    long steps = first > ref ? 0 : (ref - first) / step + 1;
    long held = this.samples;
    charge(steps);
    this.samples = held;
    Map<Labels, SubqueryPoints> series = new LinkedHashMap<>();
    // subquery steps sit on multiples of the step: the next outer step of a range query asks for
    // mostly the same ones, which are evaluated once (an instant query has no next step)
    Map<Long, List<Sample>> memo =
        start == end ? null : subqueryResults.computeIfAbsent(sq, k -> new HashMap<>());
    // held at once, as Prometheus counts: what the enclosing evaluation holds, the points of the
    // steps so far, and one step's intermediate samples (released after the step)
    long points = 0;
    for (long i = 0; i < steps; i++) {
      this.samples = held + points;
      charge(0); // the deadline, at every step
      long t = first + i * step;
      List<Sample> stepSamples = memo == null ? null : memo.get(t);
      if (stepSamples == null) {
        stepSamples = ((Vector) eval(sq.expr(), t)).samples();
        if (memo != null) {
          memo.put(t, stepSamples);
        }
      }
      points += stepSamples.size();
      for (Sample s : stepSamples) {
        series.computeIfAbsent(s.labels(), k -> new SubqueryPoints()).add(t, s.value());
      }
    }
    List<Series> out = new ArrayList<>(series.size());
    series.forEach((labels, p) -> out.add(p.series(labels)));
    this.samples = held;
    charge(points);
    return new Matrix(out);
  }

  /** One series' points of a subquery, in primitive arrays. */
  private static final class SubqueryPoints {
    private long[] times = new long[16];
    private double[] values = new double[16];
    private int n;

    void add(long t, double v) {
      if (n == times.length) {
        times = java.util.Arrays.copyOf(times, n * 2);
        values = java.util.Arrays.copyOf(values, n * 2);
      }
      times[n] = t;
      values[n++] = v;
    }

    Series series(Labels labels) {
      return new Series(
          labels, java.util.Arrays.copyOf(times, n), java.util.Arrays.copyOf(values, n));
    }
  }

  private static Value negate(Value v) {
    return switch (v) {
      case Scalar s -> new Scalar(s.time(), -s.value());
      case Vector vec -> {
        List<Sample> out = new ArrayList<>();
        for (Sample s : vec.samples()) {
          out.add(new Sample(dropName(s.labels()), -s.value(), s.time()));
        }
        yield new Vector(out);
      }
      default -> throw new PromqlException("unary minus on " + v);
    };
  }

  // ---- functions ----

  private Value call(Expr.Call c, long time) {
    String name = c.function().name();
    List<Expr> args = c.args();
    switch (name) {
      case "time" -> {
        return new Scalar(time, time / 1000.0);
      }
      case "pi" -> {
        return new Scalar(time, Math.PI);
      }
      case "vector" -> {
        double v = scalar(args.get(0), time);
        return new Vector(List.of(new Sample(Labels.empty(), v, time)));
      }
      case "scalar" -> {
        List<Sample> v = vector(args.get(0), time);
        return new Scalar(time, v.size() == 1 ? v.get(0).value() : Double.NaN);
      }
      case "absent" -> {
        return absent(args.get(0), vector(args.get(0), time).isEmpty(), time);
      }
      case "absent_over_time" -> {
        return absent(args.get(0), ((Matrix) eval(args.get(0), time)).series().isEmpty(), time);
      }
      case "sort", "sort_desc" -> {
        List<Sample> v = new ArrayList<>(vector(args.get(0), time));
        Comparator<Sample> byValue =
            (a, b) -> {
              if (Double.isNaN(a.value())) {
                return Double.isNaN(b.value()) ? 0 : 1; // NaN last either way
              }
              if (Double.isNaN(b.value())) {
                return -1;
              }
              return name.equals("sort")
                  ? Double.compare(a.value(), b.value())
                  : Double.compare(b.value(), a.value());
            };
        v.sort(byValue);
        return new Vector(v);
      }
      case "label_replace" -> {
        return labelReplace(args, time);
      }
      case "label_join" -> {
        return labelJoin(args, time);
      }
      case "histogram_quantile" -> {
        return histogramQuantile(scalar(args.get(0), time), vector(args.get(1), time), time);
      }
      case "timestamp" -> {
        List<Sample> out = new ArrayList<>();
        for (Sample s : vector(args.get(0), time)) {
          out.add(new Sample(dropName(s.labels()), s.time() / 1000.0, time));
        }
        return new Vector(out);
      }
      default -> {}
    }
    if (c.function().args().isEmpty()
        || c.function().args().get(0) == Expr.ValueType.VECTOR
        || isDateFunction(name)) {
      return mathOrDate(name, args, time);
    }
    return rangeFunction(name, args, time);
  }

  private static boolean isDateFunction(String name) {
    return switch (name) {
      case "day_of_week",
          "day_of_month",
          "day_of_year",
          "days_in_month",
          "hour",
          "minute",
          "month",
          "year" ->
          true;
      default -> false;
    };
  }

  private Value mathOrDate(String name, List<Expr> args, long time) {
    List<Sample> in =
        args.isEmpty()
            ? List.of(new Sample(Labels.empty(), time / 1000.0, time))
            : vector(args.get(0), time);
    double a1 = args.size() > 1 ? scalar(args.get(1), time) : Double.NaN;
    double a2 = args.size() > 2 ? scalar(args.get(2), time) : Double.NaN;
    List<Sample> out = new ArrayList<>();
    for (Sample s : in) {
      double v = s.value();
      double r =
          switch (name) {
            case "abs" -> Math.abs(v);
            case "ceil" -> Math.ceil(v);
            case "floor" -> Math.floor(v);
            // fdlibm's algorithms, which Go's math package uses too: the same last bits
            case "sqrt" -> Math.sqrt(v);
            case "exp" -> GoMath.exp(v);
            case "ln" -> GoMath.log(v);
            case "log2" -> log2(v);
            case "log10" -> GoMath.log(v) * INV_LN10; // Go's Log10: Log(x) * (1 / Ln10)
            case "sgn" -> Math.signum(v);
            case "round" -> round(v, args.size() > 1 ? a1 : 1);
            case "clamp" -> a1 > a2 ? Double.NaN : Math.max(a1, Math.min(a2, v));
            case "clamp_min" -> Math.max(a1, v);
            case "clamp_max" -> Math.min(a1, v);
            default -> date(name, v);
          };
      if (name.equals("clamp") && a1 > a2) {
        continue; // Prometheus returns nothing when min > max
      }
      out.add(new Sample(dropName(s.labels()), r, time));
    }
    return new Vector(out);
  }

  /** Go's Log2: exact for powers of two. */
  private static double log2(double x) {
    return GoMath.log2(x, INV_LN2);
  }

  private static double round(double v, double toNearest) {
    double inverse = 1.0 / toNearest;
    return Math.floor(v * inverse + 0.5) / inverse;
  }

  private static double date(String name, double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
      return Double.NaN;
    }
    ZonedDateTime t = Instant.ofEpochSecond((long) seconds).atZone(ZoneOffset.UTC);
    return switch (name) {
      case "day_of_week" -> t.getDayOfWeek().getValue() % 7;
      case "day_of_month" -> t.getDayOfMonth();
      case "day_of_year" -> t.getDayOfYear();
      case "days_in_month" -> YearMonth.from(t).lengthOfMonth();
      case "hour" -> t.getHour();
      case "minute" -> t.getMinute();
      case "month" -> t.getMonthValue();
      case "year" -> t.getYear();
      default -> throw new PromqlException("unknown function " + name);
    };
  }

  private Value rangeFunction(String name, List<Expr> args, long time) {
    Expr matrixArg = unparen(name.equals("quantile_over_time") ? args.get(1) : args.get(0));
    if (matrixArg instanceof Expr.MatrixSelector ms && !name.equals("holt_winters")) {
      long ref = refTime(ms.selector(), time);
      Whole w = whole(ms.selector(), ms.rangeMillis(), ref, true);
      if (w != null) {
        return rangeFunction(name, args, time, ms.rangeMillis(), ref, w);
      }
    }
    Matrix m = (Matrix) eval(matrixArg, time);
    long rangeMillis =
        switch (matrixArg) {
          case Expr.MatrixSelector ms -> ms.rangeMillis();
          case Expr.Subquery sq -> sq.rangeMillis();
          default -> 0;
        };
    long rangeEnd =
        matrixArg instanceof Expr.MatrixSelector ms ? refTime(ms.selector(), time) : time;
    double param =
        name.equals("quantile_over_time")
            ? scalar(args.get(0), time)
            : name.equals("predict_linear") ? scalar(args.get(1), time) : Double.NaN;
    if (name.equals("holt_winters")) {
      return holtWinters(m, scalar(args.get(1), time), scalar(args.get(2), time), time);
    }
    List<Sample> out = new ArrayList<>();
    for (Series s : m.series()) {
      double r = RangeFunctions.apply(name, s, rangeEnd - rangeMillis, rangeEnd, param, time);
      if (Double.isNaN(r) && RangeFunctions.noResult(name, s.size())) {
        continue;
      }
      Labels labels = name.equals("last_over_time") ? s.labels() : dropName(s.labels());
      out.add(new Sample(labels, r, time));
    }
    return new Vector(out);
  }

  /** A range function over a selector's window of each whole-query series, nothing copied. */
  private Value rangeFunction(
      String name, List<Expr> args, long time, long range, long ref, Whole w) {
    double param =
        name.equals("quantile_over_time")
            ? scalar(args.get(0), time)
            : name.equals("predict_linear") ? scalar(args.get(1), time) : Double.NaN;
    boolean keepName = name.equals("last_over_time");
    List<Sample> out = new ArrayList<>();
    Cursors c = w.cursors();
    boolean forward = c.lastStart != Long.MAX_VALUE && ref - range >= c.lastStart;
    c.lastStart = ref - range;
    for (int i = 0; i < w.series().size(); i++) {
      Series s = w.series().get(i);
      long[] t = s.times();
      int from;
      int to;
      if (forward) { // the window only moved on: step both ends forward
        from = c.from[i];
        while (from < t.length && t[from] < ref - range) {
          from++;
        }
        to = Math.max(c.to[i], from);
        while (to < t.length && t[to] <= ref) {
          to++;
        }
      } else {
        from = TimeIndex.firstAtOrAfter(t, ref - range);
        to = TimeIndex.firstAtOrAfter(t, ref + 1);
      }
      c.from[i] = from;
      c.to[i] = to;
      if (to == from) {
        continue;
      }
      charge(to - from);
      double r = RangeFunctions.apply(name, t, s.values(), from, to, ref - range, ref, param, time);
      if (Double.isNaN(r) && RangeFunctions.noResult(name, to - from)) {
        continue;
      }
      out.add(new Sample(keepName ? s.labels() : w.unnamed().get(i), r, time));
    }
    return new Vector(out);
  }

  /** {@code ((x[5m]))} is {@code x[5m]}: its range and offset count. */
  private static Expr unparen(Expr e) {
    while (e instanceof Expr.Paren p) {
      e = p.expr();
    }
    return e;
  }

  /** Double exponential smoothing of each series, Prometheus's {@code holt_winters}. */
  private static Value holtWinters(Matrix m, double sf, double tf, long time) {
    if (!(sf > 0 && sf < 1)) {
      throw new PromqlException(
          String.format("invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf));
    }
    if (!(tf > 0 && tf < 1)) {
      throw new PromqlException(
          String.format("invalid trend factor. Expected: 0 < tf < 1, got: %f", tf));
    }
    List<Sample> out = new ArrayList<>();
    for (Series s : m.series()) {
      double[] v = s.values();
      if (v.length < 2) {
        continue;
      }
      double s0 = 0;
      double s1 = v[0];
      double b = v[1] - v[0];
      for (int i = 1; i < v.length; i++) {
        double x = sf * v[i];
        if (i > 1) { // the trend from the second smoothed value on
          b = tf * (s1 - s0) + (1 - tf) * b;
        }
        double y = (1 - sf) * (s1 + b);
        s0 = s1;
        s1 = x + y;
      }
      out.add(new Sample(dropName(s.labels()), s1, time));
    }
    return new Vector(out);
  }

  private Value absent(Expr arg, boolean empty, long time) {
    if (!empty) {
      return new Vector(List.of());
    }
    Map<String, String> labels = new TreeMap<>();
    Expr.VectorSelector vs =
        switch (arg) {
          case Expr.VectorSelector v -> v;
          case Expr.MatrixSelector ms -> ms.selector();
          default -> null;
        };
    if (vs != null) {
      Set<String> seen = new HashSet<>();
      for (io.tillwatch.promql.Matcher m : vs.matchers()) {
        if (m.name().equals("__name__")) {
          continue;
        }
        if (!seen.add(m.name())) {
          labels.remove(m.name()); // two matchers on one label: no single value
          continue;
        }
        if (m.op() == io.tillwatch.promql.Matcher.Op.EQ) {
          labels.put(m.name(), m.value());
        }
      }
    }
    return new Vector(List.of(new Sample(Labels.of(labels), 1, time)));
  }

  private Value labelReplace(List<Expr> args, long time) {
    String dst = string(args.get(1));
    String replacement = string(args.get(2));
    String src = string(args.get(3));
    com.google.re2j.Pattern re;
    try {
      re = Matcher.anchored(string(args.get(4)));
    } catch (PatternSyntaxException e) {
      throw new PromqlException("invalid regular expression in label_replace(): " + e.getMessage());
    }
    if (!Labels.isValidName(dst)) {
      throw new PromqlException("invalid destination label name in label_replace(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : vector(args.get(0), time)) {
      String value = s.labels().get(src);
      com.google.re2j.Matcher m = re.matcher(value == null ? "" : value);
      Labels labels = s.labels();
      if (m.matches()) {
        labels = labels.with(dst, expand(replacement, m));
      }
      out.add(new Sample(labels, s.value(), s.time()));
    }
    return new Vector(out);
  }

  /** Go's regexp Expand: {@code $1}, {@code ${1}}, {@code $name}; unknown groups are empty. */
  private static String expand(String template, com.google.re2j.Matcher m) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < template.length(); k++) {
      char c = template.charAt(k);
      if (c != '$' || k + 1 >= template.length()) {
        b.append(c);
        continue;
      }
      char n = template.charAt(k + 1);
      if (n == '$') {
        b.append('$');
        k++;
        continue;
      }
      String ref;
      int endAt;
      if (n == '{') {
        int close = template.indexOf('}', k + 2);
        if (close < 0) {
          b.append(c);
          continue;
        }
        ref = template.substring(k + 2, close);
        endAt = close;
      } else {
        int e = k + 1;
        while (e < template.length()
            && (Character.isLetterOrDigit(template.charAt(e)) || template.charAt(e) == '_')) {
          e++;
        }
        ref = template.substring(k + 1, e);
        endAt = e - 1;
      }
      if (ref.isEmpty()) {
        b.append(c);
        continue;
      }
      try {
        int group = Integer.parseInt(ref);
        if (group <= m.groupCount() && m.group(group) != null) {
          b.append(m.group(group));
        }
      } catch (NumberFormatException notNumber) {
        try {
          String g = m.group(ref);
          if (g != null) {
            b.append(g);
          }
        } catch (IllegalArgumentException noSuchGroup) {
          // empty, as in Go
        }
      }
      k = endAt;
    }
    return b.toString();
  }

  private Value labelJoin(List<Expr> args, long time) {
    String dst = string(args.get(1));
    String sep = string(args.get(2));
    List<String> srcs = new ArrayList<>();
    for (int k = 3; k < args.size(); k++) {
      srcs.add(string(args.get(k)));
    }
    if (!Labels.isValidName(dst)) {
      throw new PromqlException("invalid destination label name in label_join(): " + dst);
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : vector(args.get(0), time)) {
      List<String> parts = new ArrayList<>();
      for (String src : srcs) {
        String v = s.labels().get(src);
        parts.add(v == null ? "" : v);
      }
      out.add(new Sample(s.labels().with(dst, String.join(sep, parts)), s.value(), s.time()));
    }
    return new Vector(out);
  }

  private Value histogramQuantile(double q, List<Sample> in, long time) {
    Map<Labels, List<double[]>> buckets = new LinkedHashMap<>();
    for (Sample s : in) {
      String le = s.labels().get("le");
      if (le == null) {
        continue;
      }
      double bound;
      try {
        bound = parseBound(le);
      } catch (NumberFormatException e) {
        continue;
      }
      Labels group = dropName(s.labels()).with("le", "");
      buckets.computeIfAbsent(group, k -> new ArrayList<>()).add(new double[] {bound, s.value()});
    }
    List<Sample> out = new ArrayList<>();
    buckets.forEach(
        (labels, b) -> out.add(new Sample(labels, Aggregations.bucketQuantile(q, b), time)));
    return new Vector(out);
  }

  private static double parseBound(String le) {
    return switch (le) {
      case "+Inf", "Inf", "+inf", "inf" -> Double.POSITIVE_INFINITY;
      case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(le);
    };
  }

  // ---- aggregation ----

  private Value aggregate(Expr.Aggregate a, long time) {
    List<Sample> in = vector(a.expr(), time);
    double param = Double.NaN;
    String labelParam = null;
    if (a.param() != null) {
      if (a.op().equals("count_values")) {
        labelParam = string(a.param());
        if (!Labels.isValidName(labelParam)) {
          throw new PromqlException("invalid label name \"" + labelParam + "\"");
        }
      } else {
        param = scalar(a.param(), time);
      }
    }
    LabelsMemo memo = aggregateMemos.computeIfAbsent(a, k -> new LabelsMemo());
    return new Vector(
        Aggregations.aggregate(
            a.op(), in, a.grouping(), a.without(), param, labelParam, time, memo));
  }

  // ---- binary operators ----

  private Value binary(Expr.Binary b, long time) {
    Value l = eval(b.lhs(), time);
    Value r = eval(b.rhs(), time);
    return Binaries.apply(b, l, r, time, binaryMemos.computeIfAbsent(b, k -> Binaries.memos()));
  }

  // ---- helpers ----

  private List<Sample> vector(Expr e, long time) {
    Value v = eval(e, time);
    if (v instanceof Vector vec) {
      return vec.samples();
    }
    throw new PromqlException("expected an instant vector, got " + v);
  }

  private double scalar(Expr e, long time) {
    Value v = eval(e, time);
    if (v instanceof Scalar s) {
      return s.value();
    }
    throw new PromqlException("expected a scalar, got " + v);
  }

  private static String string(Expr e) {
    Expr inner = e;
    while (inner instanceof Expr.Paren p) {
      inner = p.expr();
    }
    if (inner instanceof Expr.StringLiteral s) {
      return s.value();
    }
    throw new PromqlException("expected a string, got " + e);
  }

  static Labels dropName(Labels labels) {
    return labels.get("__name__") == null ? labels : labels.with("__name__", "");
  }
}
