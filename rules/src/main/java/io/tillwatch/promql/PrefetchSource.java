package io.tillwatch.promql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A source for one query that reads each selector's data once, for every time the query will ask of
 * it (a range query's steps, a subquery's steps, offsets and {@code @} included), and answers the
 * evaluator's reads from that: one read of the underlying source (one SQL query for storage) per
 * selector per query, instead of one per step. A read outside what was planned goes to the
 * underlying source.
 */
public final class PrefetchSource implements SeriesSource {
  private record Window(long from, long to) {
    Window union(Window o) {
      return new Window(Math.min(from, o.from), Math.max(to, o.to));
    }
  }

  private static final java.util.regex.Pattern NAMED =
      java.util.regex.Pattern.compile("(?:^\\[|, )__name__=\"([^\"]*)\"");

  private final SeriesSource base;
  private final Map<String, Window> windows;
  private final Map<String, List<Stored>> read = new HashMap<>();

  private PrefetchSource(SeriesSource base, Map<String, Window> windows) {
    this.base = base;
    this.windows = windows;
  }

  /** What {@code expr} will read when evaluated at every time in {@code [start, end]}. */
  public static PrefetchSource of(
      SeriesSource base, Expr expr, long start, long end, long lookbackMillis) {
    Map<String, Window> windows = new HashMap<>();
    plan(expr, start, end, start, end, lookbackMillis, windows);
    return new PrefetchSource(base, windows);
  }

  /**
   * What every one of {@code exprs} (a rule group's) will read when evaluated at {@code time}, less
   * the selectors of metrics in {@code skip} (what the group itself records, read as it is
   * written): one read per selector for the whole group.
   */
  public static PrefetchSource of(
      SeriesSource base,
      List<Expr> exprs,
      long time,
      long lookbackMillis,
      java.util.Set<String> skip) {
    Map<String, Window> windows = new HashMap<>();
    for (Expr e : exprs) {
      plan(e, time, time, time, time, lookbackMillis, windows);
    }
    // only selectors of one named metric the group does not record
    windows
        .keySet()
        .removeIf(
            k -> {
              java.util.regex.Matcher m = NAMED.matcher(k);
              return !m.find() || skip.contains(m.group(1));
            });
    return new PrefetchSource(base, windows);
  }

  private static void plan(
      Expr e, long lo, long hi, long start, long end, long lookback, Map<String, Window> out) {
    switch (e) {
      case Expr.VectorSelector vs -> selector(vs, lookback, lo, hi, start, end, out);
      case Expr.MatrixSelector ms ->
          selector(ms.selector(), ms.rangeMillis(), lo, hi, start, end, out);
      case Expr.Subquery sq -> {
        long from = lo;
        long to = hi;
        if (sq.at() != null) {
          from = at(sq.at(), start, end);
          to = from;
        }
        from = sat(from - sq.offsetMillis() - sq.rangeMillis());
        to = sat(to - sq.offsetMillis());
        plan(sq.expr(), from, to, start, end, lookback, out);
      }
      case Expr.Call c -> c.args().forEach(a -> plan(a, lo, hi, start, end, lookback, out));
      case Expr.Aggregate a -> {
        plan(a.expr(), lo, hi, start, end, lookback, out);
        if (a.param() != null) {
          plan(a.param(), lo, hi, start, end, lookback, out);
        }
      }
      case Expr.Binary b -> {
        plan(b.lhs(), lo, hi, start, end, lookback, out);
        plan(b.rhs(), lo, hi, start, end, lookback, out);
      }
      case Expr.Negation n -> plan(n.expr(), lo, hi, start, end, lookback, out);
      case Expr.Paren p -> plan(p.expr(), lo, hi, start, end, lookback, out);
      case Expr.NumberLiteral n -> {}
      case Expr.StringLiteral s -> {}
    }
  }

  private static void selector(
      Expr.VectorSelector vs,
      long range,
      long lo,
      long hi,
      long start,
      long end,
      Map<String, Window> out) {
    long from = lo;
    long to = hi;
    if (vs.at() != null) {
      from = at(vs.at(), start, end);
      to = from;
    }
    Window w = new Window(sat(from - vs.offsetMillis() - range), sat(to - vs.offsetMillis()));
    out.merge(key(vs.matchers()), w, Window::union);
  }

  private static long at(long at, long start, long end) {
    return at == Long.MIN_VALUE ? start : at == Long.MAX_VALUE ? end : at;
  }

  /** Times far outside any data stay far outside, without wrapping. */
  private static long sat(long t) {
    return Math.max(Long.MIN_VALUE / 4, Math.min(Long.MAX_VALUE / 4, t));
  }

  private static String key(List<Matcher> matchers) {
    return matchers.toString();
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    String key = key(matchers);
    Window w = windows.get(key);
    if (w == null || minTime < w.from() || maxTime > w.to()) {
      return base.select(matchers, minTime, maxTime);
    }
    List<Stored> all = read.computeIfAbsent(key, k -> base.select(matchers, w.from(), w.to()));
    List<Stored> out = new ArrayList<>(all.size());
    for (Stored s : all) {
      int from = TimeIndex.firstAtOrAfter(s.times(), minTime);
      int to = TimeIndex.firstAtOrAfter(s.times(), maxTime + 1);
      if (to > from) {
        out.add(
            from == 0 && to == s.times().length
                ? s
                : new Stored(
                    s.labels(),
                    Arrays.copyOfRange(s.times(), from, to),
                    Arrays.copyOfRange(s.values(), from, to)));
      }
    }
    return out;
  }
}
