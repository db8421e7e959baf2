package io.tillwatch.promql;

import java.util.List;

/** A parsed expression. */
public sealed interface Expr {
  /** The type of value an expression yields. */
  enum ValueType {
    SCALAR,
    VECTOR,
    MATRIX,
    STRING
  }

  ValueType type();

  /** A number. */
  record NumberLiteral(double value) implements Expr {
    public ValueType type() {
      return ValueType.SCALAR;
    }
  }

  /** A string. */
  record StringLiteral(String value) implements Expr {
    public ValueType type() {
      return ValueType.STRING;
    }
  }

  /**
   * {@code name{matchers} offset d @ t}.
   *
   * @param name the metric name, or null when only matchers are given
   * @param matchers every matcher, the name's ({@code __name__="..."}) included
   * @param offsetMillis the offset (0 none)
   * @param at the {@code @} time in ms, {@code start()} / {@code end()} as {@link Long#MIN_VALUE} /
   *     {@link Long#MAX_VALUE}; null none
   */
  record VectorSelector(String name, List<Matcher> matchers, long offsetMillis, Long at)
      implements Expr {
    public ValueType type() {
      return ValueType.VECTOR;
    }
  }

  /** {@code selector[range]}. */
  record MatrixSelector(VectorSelector selector, long rangeMillis) implements Expr {
    public ValueType type() {
      return ValueType.MATRIX;
    }
  }

  /** {@code expr[range:step]}. */
  record Subquery(Expr expr, long rangeMillis, long stepMillis, long offsetMillis, Long at)
      implements Expr {
    public ValueType type() {
      return ValueType.MATRIX;
    }
  }

  /** A function call. */
  record Call(Functions.Function function, List<Expr> args) implements Expr {
    public ValueType type() {
      return function.returns();
    }
  }

  /**
   * {@code op by|without (labels) (param, expr)}.
   *
   * @param param {@code topk}'s k, {@code quantile}'s φ, {@code count_values}' label; else null
   */
  record Aggregate(String op, Expr expr, Expr param, List<String> grouping, boolean without)
      implements Expr {
    public ValueType type() {
      return ValueType.VECTOR;
    }
  }

  /**
   * {@code lhs op rhs} with its vector matching.
   *
   * @param on true for {@code on(...)}, false for {@code ignoring(...)} or none
   * @param matchingLabels the labels of on/ignoring
   * @param card {@code one-to-one}, {@code many-to-one} (group_left) or {@code one-to-many}
   * @param include the extra labels of group_left/group_right
   * @param returnBool comparisons with {@code bool}
   */
  record Binary(
      String op,
      Expr lhs,
      Expr rhs,
      boolean on,
      List<String> matchingLabels,
      String card,
      List<String> include,
      boolean returnBool)
      implements Expr {
    public ValueType type() {
      return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR
          ? ValueType.SCALAR
          : ValueType.VECTOR;
    }
  }

  /** {@code -expr}. */
  record Negation(Expr expr) implements Expr {
    public ValueType type() {
      return expr.type();
    }
  }

  /** {@code (expr)}. */
  record Paren(Expr expr) implements Expr {
    public ValueType type() {
      return expr.type();
    }
  }
}
