package io.tillwatch.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as people write them: {@code 512MB}, {@code 2GiB}, {@code 64kB}, {@code 1000}. */
public final class ByteSizes {
  private static final Pattern SIZE =
      Pattern.compile("([0-9]+)\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?", Pattern.CASE_INSENSITIVE);

  private ByteSizes() {}

  /**
   * Bytes in {@code text}; decimal units (kB, MB, GB, TB) are powers of 1000, binary ones (KiB,
   * MiB, GiB, TiB) powers of 1024.
   *
   * @throws IllegalArgumentException naming the expected form
   */
  public static long parse(String text) {
    Matcher m = text == null ? null : SIZE.matcher(text.trim());
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException(
          "not a size: '" + text + "' (expected e.g. 512MB, 2GiB, 1000000)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    long factor =
        switch (unit) {
          case "kb" -> 1000L;
          case "mb" -> 1000L * 1000;
          case "gb" -> 1000L * 1000 * 1000;
          case "tb" -> 1000L * 1000 * 1000 * 1000;
          case "kib" -> 1024L;
          case "mib" -> 1024L * 1024;
          case "gib" -> 1024L * 1024 * 1024;
          case "tib" -> 1024L * 1024 * 1024 * 1024;
          default -> 1L;
        };
    return Math.multiplyExact(n, factor);
  }
}
