package io.tillwatch.promql;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expanding notation of Prometheus's test files and promtool's {@code input_series}: {@code 1 2
 * 3}, {@code 0+10x5} (0, 10, ..., 50), {@code 5-1x3}, {@code 1x3} (1 four times), {@code _} (no
 * sample), {@code _x3} (three gaps), {@code stale} (a stale marker).
 */
public final class SeriesNotation {
  private static final Pattern EXPANDING =
      Pattern.compile("([-+]?(?:[0-9.eE+-]+|Inf|NaN))([-+])([0-9.eE+-]+|Inf|NaN)x([0-9]+)");
  private static final Pattern REPEAT =
      Pattern.compile("([-+]?(?:[0-9.eE+-]+|Inf|NaN)|_)x([0-9]+)");

  private SeriesNotation() {}

  /** One step's value: a number, {@link Double#NaN}-free null for a gap, or a stale marker. */
  public static List<Double> expand(String values) {
    List<Double> out = new ArrayList<>();
    for (String item : values.trim().split("\\s+")) {
      if (item.isEmpty()) {
        continue;
      }
      if (item.equals("_")) {
        out.add(null);
        continue;
      }
      if (item.equals("stale")) {
        out.add(Double.longBitsToDouble(SeriesSource.STALE_NAN_BITS));
        continue;
      }
      Matcher e = EXPANDING.matcher(item);
      if (e.matches()) {
        double start = number(e.group(1));
        double step = number(e.group(3)) * (e.group(2).equals("-") ? -1 : 1);
        int n = Integer.parseInt(e.group(4));
        for (int k = 0; k <= n; k++) {
          out.add(start + step * k);
        }
        continue;
      }
      Matcher r = REPEAT.matcher(item);
      if (r.matches()) {
        int n = Integer.parseInt(r.group(2));
        if (r.group(1).equals("_")) {
          for (int k = 0; k < n; k++) {
            out.add(null);
          }
        } else {
          double v = number(r.group(1));
          for (int k = 0; k <= n; k++) {
            out.add(v);
          }
        }
        continue;
      }
      out.add(number(item));
    }
    return out;
  }

  private static double number(String s) {
    return switch (s) {
      case "Inf", "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(s);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a value in series notation: '" + s + "'");
        }
      }
    };
  }
}
