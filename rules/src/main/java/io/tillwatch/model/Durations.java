package io.tillwatch.model;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus duration notation: {@code 500ms}, {@code 15s}, {@code 1h30m}, {@code 7d}, {@code 1w}.
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(?:[0-9]+(?:ms|s|m|h|d|w|y))+");
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d|w|y)");

  private Durations() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming the expected form when {@code text} is not one
   */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "not a duration: '" + text + "' (expected e.g. 500ms, 15s, 1m30s, 2h, 7d)");
    }
    try {
      Duration total = sum(text);
      total.toMillis(); // must fit in milliseconds, as Prometheus's int64 nanoseconds nearly do
      return total;
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("duration out of range: '" + text + "'", e);
    }
  }

  private static Duration sum(String text) {
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(Math.multiplyExact(7, n));
                default -> Duration.ofDays(Math.multiplyExact(365, n));
              });
    }
    return total;
  }

  /** The shortest Prometheus notation of {@code d}, e.g. {@code 1m30s}. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    long ms = d.toMillis();
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (ms >= units[i]) {
        sb.append(ms / units[i]).append(names[i]);
        ms %= units[i];
      }
    }
    return sb.toString();
  }
}
