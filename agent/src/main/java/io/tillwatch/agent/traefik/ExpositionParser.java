package io.tillwatch.agent.traefik;

import io.tillwatch.model.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A complete parser of the Prometheus text format (0.0.4) and OpenMetrics 1.0: HELP, TYPE, UNIT,
 * escaped label values ({@code \\}, {@code \"}, {@code \n}), {@code +Inf}/{@code -Inf}/{@code NaN},
 * optional timestamps, exemplars (skipped) and {@code # EOF}. Pure; malformed input throws {@link
 * ExpositionParseException} with the line number.
 */
public final class ExpositionParser {
  private final String text;
  private final List<ParsedSample> out = new ArrayList<>();
  private final Map<String, String> types = new HashMap<>();
  private final Map<String, String> helps = new HashMap<>();
  // sample name -> {family, type, help}
  private final Map<String, String[]> familyOf = new HashMap<>();
  private final List<String> labelNames = new ArrayList<>();
  // label values seen in this body, by hash of their text: one String per repeated value
  private final String[] valueCache = new String[4096];
  private String[] pairs = new String[16];
  private int pos;
  private int line;
  private String lastName = "";
  private String[] lastFamily;

  private ExpositionParser(String text) {
    this.text = text;
  }

  /** Parses a whole exposition body. */
  public static List<ParsedSample> parse(String text) {
    ExpositionParser p = new ExpositionParser(text);
    p.run();
    return p.out;
  }

  private void run() {
    int n = text.length();
    while (pos < n) {
      line++;
      int end = text.indexOf('\n', pos);
      if (end < 0) {
        end = n;
      }
      int stop = end > pos && text.charAt(end - 1) == '\r' ? end - 1 : end;
      if (stop > pos) {
        if (text.charAt(pos) == '#') {
          if (comment(pos, stop)) {
            ensureOnlyBlankAfter(end + 1);
            return;
          }
        } else {
          sample(pos, stop);
        }
      }
      pos = end + 1;
    }
  }

  /** Handles a comment line; true at {@code # EOF}. */
  private boolean comment(int from, int to) {
    String c = text.substring(from, to);
    if (c.equals("# EOF")) {
      return true;
    }
    if (!c.startsWith("# HELP ") && !c.startsWith("# TYPE ") && !c.startsWith("# UNIT ")) {
      return false; // an ordinary comment
    }
    String rest = c.substring(7);
    int space = rest.indexOf(' ');
    String name = space < 0 ? rest : rest.substring(0, space);
    String arg = space < 0 ? "" : rest.substring(space + 1);
    if (!isMetricName(name, 0, name.length())) {
      throw error("invalid metric name '" + name + "' in " + c.substring(0, 6));
    }
    switch (c.substring(2, 6)) {
      case "HELP" -> helps.put(name, unescapeHelp(arg));
      case "TYPE" -> {
        String type = arg.trim();
        switch (type) {
          case "counter",
              "gauge",
              "histogram",
              "gaugehistogram",
              "summary",
              "untyped",
              "unknown",
              "info",
              "stateset" ->
              types.put(name, type);
          default -> throw error("unknown metric type '" + type + "' for " + name);
        }
      }
      default -> {} // UNIT: nothing to keep
    }
    return false;
  }

  private void sample(int from, int to) {
    int i = from;
    while (i < to && isNameChar(text.charAt(i), i == from)) {
      i++;
    }
    if (i == from) {
      throw error("expected a metric name, got '" + snippet(from, to) + "'");
    }
    String name;
    String[] family;
    int length = i - from;
    if (length == lastName.length() && same(from, lastName, length)) {
      name = lastName; // consecutive samples of one family: no new string, no lookup
      family = lastFamily;
    } else {
      name = text.substring(from, i);
      family = familyOf.computeIfAbsent(name, this::family);
      lastName = name;
      lastFamily = family;
    }
    Labels labels = Labels.empty();
    if (i < to && text.charAt(i) == '{') {
      int[] end = new int[1];
      labels = labels(i + 1, to, end);
      i = end[0];
    }
    if (i >= to || (text.charAt(i) != ' ' && text.charAt(i) != '\t')) {
      throw error("expected a space and a value after " + name);
    }
    while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    int v = i;
    while (i < to && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
      i++;
    }
    double value = number(v, i, "value");
    while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
      i++;
    }
    if (i < to && text.charAt(i) != '#') { // a timestamp
      int t = i;
      while (i < to && text.charAt(i) != ' ' && text.charAt(i) != '\t') {
        i++;
      }
      double ts = number(t, i, "timestamp");
      if (Double.isNaN(ts) || Double.isInfinite(ts)) {
        throw error("invalid timestamp '" + text.substring(t, i) + "'");
      }
      while (i < to && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
        i++;
      }
    }
    if (i < to && text.charAt(i) != '#') {
      throw error("unexpected '" + snippet(i, to) + "' after the value of " + name);
    }
    // anything from '#' on is an exemplar: ignored
    out.add(new ParsedSample(family[0], family[1], family[2], name, labels, value));
  }

  private String[] family(String name) {
    String type = types.get(name);
    if (type != null) {
      return new String[] {name, type, helps.getOrDefault(name, "")};
    }
    for (String suffix :
        new String[] {
          "_bucket", "_sum", "_count", "_total", "_created", "_info", "_gcount", "_gsum"
        }) {
      if (name.endsWith(suffix)) {
        String base = name.substring(0, name.length() - suffix.length());
        String t = types.get(base);
        if (t != null) {
          return new String[] {base, t, helps.getOrDefault(base, "")};
        }
      }
    }
    return new String[] {name, "untyped", helps.getOrDefault(name, "")};
  }

  private Labels labels(int from, int to, int[] end) {
    int count = 0;
    int i = from;
    while (true) {
      while (i < to && text.charAt(i) == ' ') {
        i++;
      }
      if (i < to && text.charAt(i) == '}') {
        end[0] = i + 1;
        break;
      }
      int n = i;
      while (i < to && isLabelChar(text.charAt(i), i == n)) {
        i++;
      }
      if (i == n) {
        throw error("expected a label name at '" + snippet(n, to) + "'");
      }
      String label = labelName(n, i);
      while (i < to && text.charAt(i) == ' ') {
        i++;
      }
      if (i >= to || text.charAt(i) != '=') {
        throw error("expected '=' after label " + label);
      }
      i++;
      while (i < to && text.charAt(i) == ' ') {
        i++;
      }
      if (i >= to || text.charAt(i) != '"') {
        throw error("expected '\"' to open the value of label " + label);
      }
      i++;
      StringBuilder value = null;
      int start = i;
      int hash = 0;
      while (true) {
        if (i >= to) {
          throw error("unterminated value of label " + label);
        }
        char c = text.charAt(i);
        if (c == '"') {
          break;
        }
        if (c == '\\') {
          if (value == null) {
            value = new StringBuilder().append(text, start, i);
          }
          if (i + 1 >= to) {
            throw error("unterminated escape in the value of label " + label);
          }
          char e = text.charAt(++i);
          value.append(e == 'n' ? '\n' : e == '\\' || e == '"' ? e : '\\');
          if (e != 'n' && e != '\\' && e != '"') {
            value.append(e);
          }
        } else if (value != null) {
          value.append(c);
        } else {
          hash = 31 * hash + c;
        }
        i++;
      }
      for (int k = 0; k < count; k += 2) {
        if (pairs[k].equals(label)) {
          throw error("label " + label + " given twice");
        }
      }
      if (count + 2 > pairs.length) {
        pairs = Arrays.copyOf(pairs, pairs.length * 2);
      }
      pairs[count++] = label;
      pairs[count++] = value == null ? labelValue(start, i, hash) : value.toString();
      i++;
      while (i < to && text.charAt(i) == ' ') {
        i++;
      }
      if (i < to && text.charAt(i) == ',') {
        i++;
      } else if (i >= to || text.charAt(i) != '}') {
        throw error("expected ',' or '}' after the value of label " + label);
      }
    }
    return Labels.ofCheckedPairs(pairs, count);
  }

  /** Whether the text at {@code from} starts with {@code s}, whose length is {@code length}. */
  private boolean same(int from, String s, int length) {
    if (length > 24) {
      return text.regionMatches(from, s, 0, length);
    }
    for (int k = length - 1; k >= 0; k--) { // from the end: names and values differ there
      if (text.charAt(from + k) != s.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The unescaped label value at [from, to) whose text hashes to {@code hash}. */
  private String labelValue(int from, int to, int hash) {
    int slot = (hash ^ (hash >>> 16)) & (valueCache.length - 1);
    String cached = valueCache[slot];
    int length = to - from;
    if (cached != null && cached.length() == length && same(from, cached, length)) {
      return cached;
    }
    String value = text.substring(from, to);
    valueCache[slot] = value;
    return value;
  }

  /** The label name at [from, to), one String per distinct name in a body. */
  private String labelName(int from, int to) {
    int length = to - from;
    for (String known : labelNames) {
      if (known.length() == length && same(from, known, length)) {
        return known;
      }
    }
    String name = text.substring(from, to);
    if (labelNames.size() < 64) {
      labelNames.add(name);
    }
    return name;
  }

  private double number(int from, int to, String what) {
    if (from >= to) {
      throw error("missing " + what);
    }
    long whole = 0;
    int i = from;
    boolean negative = text.charAt(i) == '-';
    if (negative || text.charAt(i) == '+') {
      i++;
    }
    int digits = i;
    while (i < to && i - digits < 18) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      whole = whole * 10 + (c - '0');
      i++;
    }
    if (i == to && i > digits) { // a plain integer, the common case for counters and buckets
      return negative ? -whole : whole;
    }
    String s = text.substring(from, to);
    switch (s) {
      case "+Inf", "Inf", "+inf", "inf" -> {
        return Double.POSITIVE_INFINITY;
      }
      case "-Inf", "-inf" -> {
        return Double.NEGATIVE_INFINITY;
      }
      case "NaN", "nan" -> {
        return Double.NaN;
      }
      default -> {}
    }
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
        throw error("invalid " + what + " '" + s + "'");
      }
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw error("invalid " + what + " '" + s + "'");
    }
  }

  private void ensureOnlyBlankAfter(int from) {
    if (from < text.length() && !text.substring(from).isBlank()) {
      line++;
      throw error("content after # EOF");
    }
  }

  private static String unescapeHelp(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char e = s.charAt(++i);
        b.append(e == 'n' ? '\n' : e);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isMetricName(String s, int from, int to) {
    if (from >= to) {
      return false;
    }
    for (int i = from; i < to; i++) {
      if (!isNameChar(s.charAt(i), i == from)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isNameChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || c == ':'
        || (!first && c >= '0' && c <= '9');
  }

  private static boolean isLabelChar(char c, boolean first) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '_'
        || (!first && c >= '0' && c <= '9');
  }

  private String snippet(int from, int to) {
    return text.substring(from, Math.min(to, from + 40));
  }

  private ExpositionParseException error(String message) {
    return new ExpositionParseException(line, message);
  }
}
