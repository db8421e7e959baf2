package io.tillwatch.promql;

import com.google.re2j.Pattern;

/**
 * A label matcher: {@code name op "value"}; regexes are RE2 (linear time, no back-references) and
 * anchored, as in Prometheus.
 */
public record Matcher(String name, Op op, String value, Pattern pattern) {
  public enum Op {
    EQ("="),
    NEQ("!="),
    RE("=~"),
    NRE("!~");

    final String text;

    Op(String text) {
      this.text = text;
    }
  }

  public static Matcher of(String name, Op op, String value) {
    Pattern p = op == Op.RE || op == Op.NRE ? anchored(value) : null;
    return new Matcher(name, op, value, p);
  }

  /**
   * {@code regex} anchored at both ends, as Prometheus compiles it.
   *
   * @throws com.google.re2j.PatternSyntaxException when it is not RE2 syntax
   */
  public static Pattern anchored(String regex) {
    return Pattern.compile("^(?:" + regex + ")$", Pattern.DOTALL);
  }

  /** Whether a label value (empty when the label is absent) matches. */
  public boolean matches(String v) {
    String s = v == null ? "" : v;
    return switch (op) {
      case EQ -> s.equals(value);
      case NEQ -> !s.equals(value);
      case RE -> pattern.matcher(s).matches();
      case NRE -> !pattern.matcher(s).matches();
    };
  }

  /** Whether the matcher matches the empty string (so it cannot select on its own). */
  public boolean matchesEmpty() {
    return matches("");
  }

  /** The matcher as PromQL writes it, its value quoted and escaped: {@code name=~"a\\.b"}. */
  public String promql() {
    StringBuilder b = new StringBuilder(name).append(op.text).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        default -> b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Override
  public String toString() {
    return name + op.text + "\"" + value + "\"";
  }
}
