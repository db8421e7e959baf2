package io.tillwatch.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of Go's text/template that Prometheus annotations use: {@code {{ $labels.name }}},
 * {@code {{ $value }}}, {@code {{ $tenant.name }}}, pipelines ({@code {{ $value | humanizeDuration
 * }}}), {@code humanize}, {@code humanize1024}, {@code humanizeDuration}, {@code
 * humanizePercentage}, {@code printf}, {@code toUpper}, {@code toLower}, {@code title}, and {@code
 * {{- ... -}}} trimming.
 */
public final class Templates {
  private Templates() {}

  /**
   * What a template can refer to: the alert's labels and value, the tenant's fields, and {@code
   * query}, which runs an instant query at the evaluation's time (Prometheus's {@code query}).
   */
  public record Data(
      Map<String, String> labels,
      double value,
      Map<String, String> tenant,
      java.util.function.Function<String, List<io.tillwatch.promql.Value.Sample>> query) {
    /** Without queries: {@code query} finds nothing. */
    public Data(Map<String, String> labels, double value, Map<String, String> tenant) {
      this(labels, value, tenant, q -> List.of());
    }
  }

  /** A parsed template: text, actions, and {@code with} / {@code if} blocks. */
  private sealed interface Node {}

  private record Text(String text) implements Node {}

  private record Action(String pipeline) implements Node {}

  private record Block(String kind, String pipeline, List<Node> then, List<Node> otherwise)
      implements Node {}

  /** Expands {@code template}; a malformed one throws {@link IllegalArgumentException}. */
  public static String expand(String template, Data data) {
    List<Object> tokens = tokens(template);
    int[] at = {0};
    List<Node> nodes = new ArrayList<>();
    String stop = parse(tokens, at, nodes);
    if (stop != null) {
      throw new IllegalArgumentException("unexpected {{" + stop + "}} in template: " + template);
    }
    StringBuilder out = new StringBuilder();
    render(nodes, data, null, out);
    return out.toString();
  }

  /** Text (a String) and actions (a one-element String[]), trims applied. */
  private static List<Object> tokens(String template) {
    List<Object> out = new ArrayList<>();
    int i = 0;
    while (i < template.length()) {
      int open = template.indexOf("{{", i);
      if (open < 0) {
        out.add(template.substring(i));
        break;
      }
      String text = template.substring(i, open);
      boolean trimLeft = template.startsWith("{{-", open);
      out.add(trimLeft ? stripTrailing(text) : text);
      int close = findClose(template, open + 2);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed action in template: " + template);
      }
      String action = template.substring(open + (trimLeft ? 3 : 2), close);
      boolean trimRight = action.endsWith("-") && action.length() > 0;
      if (trimRight) {
        action = action.substring(0, action.length() - 1);
      }
      out.add(new String[] {action.trim()});
      i = close + 2;
      if (trimRight) {
        while (i < template.length() && Character.isWhitespace(template.charAt(i))) {
          i++;
        }
      }
    }
    return out;
  }

  /** Parses nodes up to {@code else} or {@code end} (returned), or the end (null). */
  private static String parse(List<Object> tokens, int[] at, List<Node> into) {
    while (at[0] < tokens.size()) {
      Object t = tokens.get(at[0]++);
      if (t instanceof String text) {
        if (!text.isEmpty()) {
          into.add(new Text(text));
        }
        continue;
      }
      String action = ((String[]) t)[0];
      String keyword = action.split("\\s+", 2)[0];
      switch (keyword) {
        case "end", "else" -> {
          if (!action.equals(keyword)) {
            throw new IllegalArgumentException("unexpected " + action + " in template");
          }
          return keyword;
        }
        case "with", "if" -> {
          String pipeline = action.substring(keyword.length()).trim();
          if (pipeline.isEmpty()) {
            throw new IllegalArgumentException("missing value for " + keyword);
          }
          List<Node> then = new ArrayList<>();
          List<Node> otherwise = new ArrayList<>();
          String stop = parse(tokens, at, then);
          if ("else".equals(stop)) {
            stop = parse(tokens, at, otherwise);
          }
          if (!"end".equals(stop)) {
            throw new IllegalArgumentException(
                "unexpected EOF: {{" + keyword + "}} without {{end}}");
          }
          into.add(new Block(keyword, pipeline, then, otherwise));
        }
        default -> into.add(new Action(action));
      }
    }
    return null;
  }

  private static void render(List<Node> nodes, Data data, Object dot, StringBuilder out) {
    for (Node n : nodes) {
      switch (n) {
        case Text t -> out.append(t.text());
        case Action a -> out.append(text(evaluate(a.pipeline(), data, dot)));
        case Block b -> {
          Object v = evaluate(b.pipeline(), data, dot);
          if (truthy(v)) {
            render(b.then(), data, b.kind().equals("with") ? v : dot, out);
          } else {
            render(b.otherwise(), data, dot, out);
          }
        }
      }
    }
  }

  private static boolean truthy(Object v) {
    return switch (v) {
      case null -> false;
      case Double d -> d != 0;
      case String s -> !s.isEmpty();
      case List<?> l -> !l.isEmpty();
      case Boolean b -> b;
      default -> true;
    };
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end);
  }

  private static int findClose(String t, int from) {
    boolean quoted = false;
    for (int k = from; k < t.length() - 1; k++) {
      char c = t.charAt(k);
      if (c == '\\' && quoted) {
        k++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '}' && t.charAt(k + 1) == '}') {
        return k;
      }
    }
    return -1;
  }

  private static Object evaluate(String pipeline, Data data, Object dot) {
    Object piped = null;
    boolean first = true;
    for (String command : splitPipes(pipeline)) {
      List<String> words = words(command.trim());
      if (words.isEmpty()) {
        throw new IllegalArgumentException("empty command in template action: " + pipeline);
      }
      String head = words.get(0);
      List<Object> args = new ArrayList<>();
      for (int k = 1; k < words.size(); k++) {
        args.add(operand(words.get(k), data, dot));
      }
      if (!first) {
        args.add(piped);
      }
      if (isFunction(head)) {
        piped = call(head, args, data);
      } else {
        if (!args.isEmpty() && first) {
          throw new IllegalArgumentException("can't give argument to non-function " + head);
        }
        piped = operand(head, data, dot);
      }
      first = false;
    }
    return piped;
  }

  private static List<String> splitPipes(String s) {
    List<String> out = new ArrayList<>();
    boolean quoted = false;
    int from = 0;
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '\\' && quoted) {
        k++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '|' && !quoted) {
        out.add(s.substring(from, k));
        from = k + 1;
      }
    }
    out.add(s.substring(from));
    return out;
  }

  private static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    int k = 0;
    while (k < s.length()) {
      char c = s.charAt(k);
      if (Character.isWhitespace(c)) {
        k++;
        continue;
      }
      int start = k;
      if (c == '"') {
        k++;
        while (k < s.length() && s.charAt(k) != '"') {
          if (s.charAt(k) == '\\') {
            k++;
          }
          k++;
        }
        k++;
      } else {
        while (k < s.length() && !Character.isWhitespace(s.charAt(k))) {
          k++;
        }
      }
      out.add(s.substring(start, Math.min(k, s.length())));
    }
    return out;
  }

  private static boolean isFunction(String w) {
    return switch (w) {
      case "humanize",
          "humanize1024",
          "humanizeDuration",
          "humanizePercentage",
          "printf",
          "toUpper",
          "toLower",
          "title",
          "query",
          "first",
          "value",
          "label" ->
          true;
      default -> false;
    };
  }

  private static Object operand(String w, Data data, Object dot) {
    if (w.startsWith("\"")) {
      return unquote(w);
    }
    if (w.equals(".")) {
      return dot;
    }
    if (w.equals("$value") || w.equals(".Value")) {
      return data.value();
    }
    if (w.startsWith("$labels.") || w.startsWith(".Labels.")) {
      // $labels is a map[string]string in Prometheus: a missing label is the empty string
      String v = data.labels().get(w.substring(w.indexOf('.', 1) + 1));
      return v == null ? "" : v;
    }
    if (w.startsWith("$tenant.")) {
      String v = data.tenant().get(w.substring(8));
      return v == null ? "<no value>" : v;
    }
    if (w.equals("$labels")) {
      return data.labels().toString();
    }
    try {
      return Double.parseDouble(w);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("undefined in template: " + w);
    }
  }

  private static String unquote(String w) {
    String body = w.substring(1, w.length() - 1);
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < body.length(); k++) {
      char c = body.charAt(k);
      if (c == '\\' && k + 1 < body.length()) {
        char e = body.charAt(++k);
        b.append(
            switch (e) {
              case 'n' -> '\n';
              case 't' -> '\t';
              default -> e;
            });
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static double number(Object o) {
    if (o instanceof Double d) {
      return d;
    }
    try {
      return Double.parseDouble(String.valueOf(o));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + o);
    }
  }

  private static Object call(String f, List<Object> args, Data data) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("wrong number of args for " + f + ": want 1 got 0");
    }
    return switch (f) {
      case "query" -> data.query().apply(text(args.get(0)));
      case "first" -> {
        if (!(args.get(0) instanceof List<?> l)) {
          throw new IllegalArgumentException("first of a non-list: " + text(args.get(0)));
        }
        if (l.isEmpty()) {
          throw new IllegalArgumentException("first() called on vector with no elements");
        }
        yield l.get(0);
      }
      case "value" -> sample(args.get(0)).value();
      case "label" -> {
        String v = sample(args.get(args.size() - 1)).labels().get(text(args.get(0)));
        yield v == null ? "" : v;
      }
      case "humanize" -> humanize(number(args.get(0)));
      case "humanize1024" -> humanize1024(number(args.get(0)));
      case "humanizeDuration" -> humanizeDuration(number(args.get(0)));
      case "humanizePercentage" -> GoFormat.g(number(args.get(0)) * 100, 4) + "%";
      case "toUpper" -> text(args.get(0)).toUpperCase(Locale.ROOT);
      case "toLower" -> text(args.get(0)).toLowerCase(Locale.ROOT);
      case "title" -> title(text(args.get(0)));
      case "printf" -> printf(text(args.get(0)), args.subList(1, args.size()));
      default -> throw new IllegalArgumentException("function " + f + " not defined");
    };
  }

  private static io.tillwatch.promql.Value.Sample sample(Object o) {
    if (o instanceof io.tillwatch.promql.Value.Sample s) {
      return s;
    }
    throw new IllegalArgumentException("not a sample: " + text(o));
  }

  private static String text(Object o) {
    if (o == null) {
      return "<no value>";
    }
    return o instanceof Double d ? GoFormat.shortest(d) : String.valueOf(o);
  }

  /** Prometheus's humanize: SI prefixes, 4 significant digits. */
  static String humanize(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return GoFormat.g(v, 4);
    }
    String prefix = "";
    if (Math.abs(v) >= 1) {
      for (String p : new String[] {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
        if (Math.abs(v) < 1000) {
          break;
        }
        prefix = p;
        v /= 1000;
      }
      return GoFormat.g(v, 4) + prefix;
    }
    for (String p : new String[] {"m", "u", "n", "p", "f", "a", "z", "y"}) {
      if (Math.abs(v) >= 1) {
        break;
      }
      prefix = p;
      v *= 1000;
    }
    return GoFormat.g(v, 4) + prefix;
  }

  static String humanize1024(double v) {
    if (Math.abs(v) <= 1 || Double.isNaN(v) || Double.isInfinite(v)) {
      return GoFormat.g(v, 4);
    }
    String prefix = "";
    for (String p : new String[] {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
      if (Math.abs(v) < 1024) {
        break;
      }
      prefix = p;
      v /= 1024;
    }
    return GoFormat.g(v, 4) + prefix;
  }

  /** Prometheus's humanizeDuration: {@code 1d 2h 3m 4s}, or seconds with SI prefixes. */
  static String humanizeDuration(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return GoFormat.g(v, 4);
    }
    if (v == 0) {
      return "0s";
    }
    if (Math.abs(v) >= 1) {
      String sign = v < 0 ? "-" : "";
      double a = Math.abs(v);
      long whole = (long) a;
      long seconds = whole % 60;
      long minutes = (whole / 60) % 60;
      long hours = (whole / 3600) % 24;
      long days = whole / 86400;
      if (days != 0) {
        return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
      }
      if (hours != 0) {
        return sign + hours + "h " + minutes + "m " + seconds + "s";
      }
      if (minutes != 0) {
        return sign + minutes + "m " + seconds + "s";
      }
      return sign + GoFormat.g(a, 4) + "s";
    }
    String prefix = "";
    for (String p : new String[] {"m", "u", "n", "p", "f", "a", "z", "y"}) {
      if (Math.abs(v) >= 1) {
        break;
      }
      prefix = p;
      v *= 1000;
    }
    return GoFormat.g(v, 4) + prefix + "s";
  }

  private static String title(String s) {
    StringBuilder b = new StringBuilder(s.length());
    boolean start = true;
    for (char c : s.toCharArray()) {
      b.append(start ? Character.toTitleCase(c) : c);
      start = !Character.isLetterOrDigit(c);
    }
    return b.toString();
  }

  /**
   * Go's {@code %f} / {@code %.Nf}: the exact binary value correctly rounded, ties to even (Go
   * prints 6.25 as {@code 6.2} with {@code %.1f}, where Java's formatter gives {@code 6.3}).
   */
  static String goFixed(double v, String flags) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    int precision = flags.isEmpty() ? 6 : Integer.parseInt(flags.substring(1));
    String out =
        new java.math.BigDecimal(v)
            .setScale(precision, java.math.RoundingMode.HALF_EVEN)
            .toPlainString();
    // Go keeps the sign of a negative value that rounds to zero
    return (v < 0 || (v == 0 && 1 / v < 0)) && !out.startsWith("-") ? "-" + out : out;
  }

  /** Go's printf for the verbs annotations use: %s %v %d %f %.Nf %g %e %x %q %%. */
  static String printf(String format, List<Object> args) {
    StringBuilder b = new StringBuilder();
    int arg = 0;
    for (int k = 0; k < format.length(); k++) {
      char c = format.charAt(k);
      if (c != '%' || k + 1 >= format.length()) {
        b.append(c);
        continue;
      }
      int start = k;
      k++;
      while (k < format.length() && "0123456789.+- #".indexOf(format.charAt(k)) >= 0) {
        k++;
      }
      char verb = format.charAt(k);
      String flags = format.substring(start + 1, k);
      if (verb == '%') {
        b.append('%');
        continue;
      }
      Object a = arg < args.size() ? args.get(arg++) : null;
      if (a == null) {
        b.append("%!").append(verb).append("(MISSING)");
        continue;
      }
      b.append(
          switch (verb) {
            case 's', 'v' -> text(a);
            case 'q' -> "\"" + text(a) + "\"";
            case 'd' -> String.format(Locale.ROOT, "%" + flags + "d", (long) number(a));
            case 'f', 'e', 'g' -> {
              if (verb == 'f' && flags.matches("(\\.[0-9]+)?")) {
                yield goFixed(number(a), flags);
              }
              if (verb == 'g' && !flags.contains(".")) {
                yield GoFormat.shortest(number(a));
              }
              yield verb == 'g'
                  ? GoFormat.g(number(a), Integer.parseInt(flags.substring(flags.indexOf('.') + 1)))
                  : String.format(Locale.ROOT, "%" + flags + verb, number(a));
            }
            case 'x' -> Long.toHexString((long) number(a));
            default -> "%!" + verb + "(" + text(a) + ")";
          });
    }
    return b.toString();
  }
}
