package io.tillwatch.promql;

import io.tillwatch.promql.Expr.ValueType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The functions the engine knows: their argument and result types. */
public final class Functions {
  /**
   * A function's signature.
   *
   * @param minArgs how many arguments are required; the rest of {@code args} are optional
   */
  public record Function(String name, List<ValueType> args, int minArgs, ValueType returns) {}

  private static final Map<String, Function> ALL = new HashMap<>();

  private static void def(String name, ValueType returns, int minArgs, ValueType... args) {
    ALL.put(name, new Function(name, List.of(args), minArgs, returns));
  }

  static {
    ValueType s = ValueType.SCALAR;
    ValueType v = ValueType.VECTOR;
    ValueType m = ValueType.MATRIX;
    ValueType str = ValueType.STRING;
    for (String f :
        List.of("rate", "irate", "increase", "delta", "idelta", "deriv", "resets", "changes")) {
      def(f, v, 1, m);
    }
    for (String f :
        List.of(
            "avg_over_time",
            "min_over_time",
            "max_over_time",
            "sum_over_time",
            "count_over_time",
            "last_over_time",
            "stddev_over_time",
            "stdvar_over_time",
            "present_over_time")) {
      def(f, v, 1, m);
    }
    def("quantile_over_time", v, 2, s, m);
    def("predict_linear", v, 2, m, s);
    def("holt_winters", v, 3, m, s, s);
    def("pi", s, 0);
    def("absent", v, 1, v);
    def("absent_over_time", v, 1, m);
    def("histogram_quantile", v, 2, s, v);
    def("clamp", v, 3, v, s, s);
    def("clamp_min", v, 2, v, s);
    def("clamp_max", v, 2, v, s);
    for (String f :
        List.of("abs", "ceil", "floor", "sqrt", "exp", "ln", "log2", "log10", "sgn", "timestamp")) {
      def(f, v, 1, v);
    }
    def("round", v, 1, v, s);
    def("time", s, 0);
    def("vector", v, 1, s);
    def("scalar", s, 1, v);
    def("sort", v, 1, v);
    def("sort_desc", v, 1, v);
    def("label_replace", v, 5, v, str, str, str, str);
    def("label_join", v, 3, v, str, str, str, str, str, str, str, str, str, str);
    for (String f :
        List.of(
            "day_of_week",
            "day_of_month",
            "day_of_year",
            "days_in_month",
            "hour",
            "minute",
            "month",
            "year")) {
      def(f, v, 0, v);
    }
  }

  private Functions() {}

  /** The function of this name, or null. */
  public static Function get(String name) {
    return ALL.get(name);
  }
}
