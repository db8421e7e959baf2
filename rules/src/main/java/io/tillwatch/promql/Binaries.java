package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Value.Sample;
import io.tillwatch.promql.Value.Scalar;
import io.tillwatch.promql.Value.Vector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/** Binary operators between scalars and instant vectors, with Prometheus's vector matching. */
final class Binaries {
  private Binaries() {}

  static Value apply(Expr.Binary b, Value l, Value r, long time, LabelsMemo[] memo) {
    String op = b.op();
    if (l instanceof Scalar ls && r instanceof Scalar rs) {
      double v = arith(op, ls.value(), rs.value());
      if (isComparison(op)) {
        v = compare(op, ls.value(), rs.value()) ? 1 : 0;
      }
      return new Scalar(time, v);
    }
    if (l instanceof Vector lv && r instanceof Scalar rs) {
      return vectorScalar(b, lv, rs.value(), false, time, memo[2]);
    }
    if (l instanceof Scalar ls && r instanceof Vector rv) {
      return vectorScalar(b, rv, ls.value(), true, time, memo[2]);
    }
    Vector lv = (Vector) l;
    Vector rv = (Vector) r;
    UnaryOperator<Labels> sig = x -> memo[0].apply(x, y -> signature(y, b));
    return switch (op) {
      case "and" -> and(lv, rv, time, false, sig);
      case "unless" -> and(lv, rv, time, true, sig);
      case "or" -> or(lv, rv, time, sig);
      default -> vectorVector(b, lv, rv, time, sig, memo[1]);
    };
  }

  /** Memos for one binary node: signatures, result labels, vector-scalar labels. */
  static LabelsMemo[] memos() {
    return new LabelsMemo[] {new LabelsMemo(), new LabelsMemo(), new LabelsMemo()};
  }

  /** Arithmetic drops the metric name; comparisons (without bool) and atan2 keep it. */
  private static boolean dropsName(String op) {
    return switch (op) {
      case "+", "-", "*", "/", "%", "^" -> true;
      default -> false;
    };
  }

  static boolean isComparison(String op) {
    return switch (op) {
      case "==", "!=", "<", ">", "<=", ">=" -> true;
      default -> false;
    };
  }

  private static boolean compare(String op, double a, double b) {
    return switch (op) {
      case "==" -> a == b;
      case "!=" -> a != b;
      case "<" -> a < b;
      case ">" -> a > b;
      case "<=" -> a <= b;
      case ">=" -> a >= b;
      default -> throw new PromqlException("not a comparison: " + op);
    };
  }

  private static double arith(String op, double a, double b) {
    return switch (op) {
      case "+" -> a + b;
      case "-" -> a - b;
      case "*" -> a * b;
      case "/" -> a / b;
      case "%" -> a % b;
      case "^" -> Math.pow(a, b);
      case "atan2" -> GoMath.atan2(a, b);
      default -> Double.NaN; // comparisons are handled by the callers
    };
  }

  private static Value vectorScalar(
      Expr.Binary b, Vector v, double scalar, boolean scalarLeft, long time, LabelsMemo memo) {
    String op = b.op();
    List<Sample> out = new ArrayList<>();
    for (Sample s : v.samples()) {
      double lhs = scalarLeft ? scalar : s.value();
      double rhs = scalarLeft ? s.value() : scalar;
      if (isComparison(op)) {
        boolean keep = compare(op, lhs, rhs);
        if (b.returnBool()) {
          out.add(new Sample(memo.apply(s.labels(), Evaluator::dropName), keep ? 1 : 0, time));
        } else if (keep) {
          out.add(new Sample(s.labels(), s.value(), time)); // the vector's value, either side
        }
      } else {
        Labels labels = dropsName(op) ? memo.apply(s.labels(), Evaluator::dropName) : s.labels();
        out.add(new Sample(labels, arith(op, lhs, rhs), time));
      }
    }
    return new Vector(out);
  }

  /** The labels that decide which samples match: on(...) keeps, ignoring(...) drops. */
  private static Labels signature(Labels labels, Expr.Binary b) {
    Map<String, String> m = new TreeMap<>();
    Set<String> listed = new HashSet<>(b.matchingLabels());
    for (int i = 0; i < labels.size(); i++) {
      String n = labels.names().get(i);
      boolean keep = b.on() ? listed.contains(n) : !listed.contains(n) && !n.equals("__name__");
      if (keep) {
        m.put(n, labels.values().get(i));
      }
    }
    return Labels.of(m);
  }

  private static Value vectorVector(
      Expr.Binary b,
      Vector l,
      Vector r,
      long time,
      UnaryOperator<Labels> signature,
      LabelsMemo results) {
    String op = b.op();
    boolean swap = b.card().equals("one-to-many");
    List<Sample> many = swap ? r.samples() : l.samples();
    List<Sample> one = swap ? l.samples() : r.samples();
    Map<Labels, Sample> oneBySig = new HashMap<>();
    for (Sample s : one) {
      Labels sig = signature.apply(s.labels());
      if (oneBySig.put(sig, s) != null) {
        throw new PromqlException(
            "found duplicate series for the match group "
                + sig
                + " on the "
                + (swap ? "left" : "right")
                + " hand-side of the operation: many-to-many matching not allowed:"
                + " matching labels must be unique on one side");
      }
    }
    boolean oneToOne = b.card().equals("one-to-one");
    Map<Labels, Labels> seenResults = new HashMap<>();
    Set<Labels> matchedMany = new HashSet<>();
    List<Sample> out = new ArrayList<>();
    for (Sample s : many) {
      Labels sig = signature.apply(s.labels());
      Sample o = oneBySig.get(sig);
      if (o == null) {
        continue;
      }
      if (oneToOne && !matchedMany.add(sig)) {
        throw new PromqlException(
            "found duplicate series for the match group "
                + sig
                + " on the left hand-side of the operation: many-to-many matching not allowed:"
                + " matching labels must be unique on one side");
      }
      double lhs = swap ? o.value() : s.value();
      double rhs = swap ? s.value() : o.value();
      double value;
      if (isComparison(op)) {
        boolean keep = compare(op, lhs, rhs);
        if (!b.returnBool() && !keep) {
          continue;
        }
        value = b.returnBool() ? (keep ? 1 : 0) : lhs;
      } else {
        value = arith(op, lhs, rhs);
      }
      // without group_left/right labels the result depends on the "many" side alone
      Labels labels =
          b.include().isEmpty()
              ? results.apply(s.labels(), x -> resultLabels(x, o.labels(), b))
              : resultLabels(s.labels(), o.labels(), b);
      Labels previous = seenResults.putIfAbsent(labels, sig);
      if (previous != null) {
        throw new PromqlException(
            "multiple matches for labels: many-to-one matching must be explicit"
                + " (group_left/group_right)");
      }
      out.add(new Sample(labels, value, time));
    }
    return new Vector(out);
  }

  private static Labels resultLabels(Labels many, Labels one, Expr.Binary b) {
    Map<String, String> m = new TreeMap<>(many.asMap());
    if (dropsName(b.op()) || b.returnBool()) {
      m.remove("__name__");
    }
    if (b.card().equals("one-to-one")) {
      if (b.on()) {
        m.keySet().retainAll(new HashSet<>(b.matchingLabels()));
      } else {
        b.matchingLabels().forEach(m::remove);
      }
    }
    for (String l : b.include()) {
      String v = one.get(l);
      if (v == null) {
        m.remove(l);
      } else {
        m.put(l, v);
      }
    }
    return Labels.of(m);
  }

  private static Value and(
      Vector l, Vector r, long time, boolean unless, UnaryOperator<Labels> signature) {
    Set<Labels> right = new HashSet<>();
    for (Sample s : r.samples()) {
      right.add(signature.apply(s.labels()));
    }
    List<Sample> out = new ArrayList<>();
    for (Sample s : l.samples()) {
      if (right.contains(signature.apply(s.labels())) != unless) {
        out.add(new Sample(s.labels(), s.value(), time));
      }
    }
    return new Vector(out);
  }

  private static Value or(Vector l, Vector r, long time, UnaryOperator<Labels> signature) {
    Set<Labels> left = new HashSet<>();
    List<Sample> out = new ArrayList<>();
    for (Sample s : l.samples()) {
      left.add(signature.apply(s.labels()));
      out.add(new Sample(s.labels(), s.value(), time));
    }
    for (Sample s : r.samples()) {
      if (!left.contains(signature.apply(s.labels()))) {
        out.add(new Sample(s.labels(), s.value(), time));
      }
    }
    return new Vector(out);
  }
}
