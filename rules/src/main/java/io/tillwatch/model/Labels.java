package io.tillwatch.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An immutable set of label name/value pairs, sorted by name; the identity of a series together
 * with its metric name. Empty values are dropped, as in Prometheus.
 */
public final class Labels {
  private static final Labels EMPTY = new Labels(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;
  private final int hash;

  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
    int h = 0x2545F491;
    for (int i = 0; i < names.length; i++) {
      h = mix(h + names[i].hashCode());
      h = mix(h + values[i].hashCode());
    }
    this.hash = h;
  }

  /**
   * Murmur3's finaliser: label values are often alike ({@code pg-12}, {@code pg-13}), and a plain
   * polynomial hash of several such strings collides in hash tables of series.
   */
  private static int mix(int x) {
    x ^= x >>> 16;
    x *= 0x7feb352d;
    x ^= x >>> 15;
    x *= 0x846ca68b;
    x ^= x >>> 16;
    return x;
  }

  /** The empty label set. */
  public static Labels empty() {
    return EMPTY;
  }

  /** Labels from alternating names and values: {@code of("tenant", "acme", "target", "pg1")}. */
  public static Labels of(String... namesAndValues) {
    return ofPairs(namesAndValues, namesAndValues.length);
  }

  /**
   * Labels from the first {@code length} entries of {@code pairs}, alternating names and values; a
   * later pair with the same name wins. The array is only read, so a parser can reuse one buffer.
   */
  public static Labels ofPairs(String[] pairs, int length) {
    return ofPairs(pairs, length, true);
  }

  /**
   * Like {@link #ofPairs(String[], int)} for a caller that has already checked every name with the
   * rules of {@link #isValidName} (a parser that read them), so they are not checked again.
   */
  public static Labels ofCheckedPairs(String[] pairs, int length) {
    return ofPairs(pairs, length, false);
  }

  private static Labels ofPairs(String[] pairs, int length, boolean checkNames) {
    if (length % 2 != 0) {
      throw new IllegalArgumentException("labels need name/value pairs, got an odd count");
    }
    int n = length / 2;
    String[] names = new String[n];
    String[] values = new String[n];
    int size = 0;
    for (int i = 0; i < length; i += 2) {
      String name = pairs[i];
      String value = pairs[i + 1];
      Objects.requireNonNull(name, "label name");
      if (checkNames && !isValidName(name)) {
        throw new IllegalArgumentException("invalid label name: " + name);
      }
      if (value == null || value.isEmpty()) {
        value = null; // dropped below, but still overrides an earlier pair of that name
      }
      // insertion sort: label sets are small
      int at = size;
      while (at > 0 && names[at - 1].compareTo(name) > 0) {
        at--;
      }
      if (at > 0 && names[at - 1].equals(name)) {
        values[at - 1] = value;
        continue;
      }
      System.arraycopy(names, at, names, at + 1, size - at);
      System.arraycopy(values, at, values, at + 1, size - at);
      names[at] = name;
      values[at] = value;
      size++;
    }
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (values[i] != null) {
        names[kept] = names[i];
        values[kept++] = values[i];
      }
    }
    if (kept == 0) {
      return EMPTY;
    }
    if (kept < n) {
      return new Labels(Arrays.copyOf(names, kept), Arrays.copyOf(values, kept));
    }
    return new Labels(names, values);
  }

  /** Labels from a map; names must be valid Prometheus label names. */
  public static Labels of(Map<String, String> map) {
    TreeMap<String, String> sorted = new TreeMap<>();
    map.forEach(
        (name, value) -> {
          Objects.requireNonNull(name, "label name");
          if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid label name: " + name);
          }
          if (value != null && !value.isEmpty()) {
            sorted.put(name, value);
          }
        });
    if (sorted.isEmpty()) {
      return EMPTY;
    }
    return new Labels(
        sorted.keySet().toArray(String[]::new), sorted.values().toArray(String[]::new));
  }

  /** Whether {@code name} is a valid label name: {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
  public static boolean isValidName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      if (!letter && (i == 0 || c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** A copy with {@code name} set to {@code value} (removed when the value is empty). */
  public Labels with(String name, String value) {
    Map<String, String> map = new TreeMap<>(asMap());
    map.put(name, value);
    return of(map);
  }

  /** A copy with every pair of {@code other} set, overriding these. */
  public Labels withAll(Labels other) {
    if (other.isEmpty()) {
      return this;
    }
    Map<String, String> map = new TreeMap<>(asMap());
    map.putAll(other.asMap());
    return of(map);
  }

  /** The value of {@code name}, or {@code null} when absent. */
  public String get(String name) {
    if (names.length <= 8) {
      // a few labels, as nearly always: equals (identity first) beats compareTo's char walk
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(name)) {
          return values[i];
        }
      }
      return null;
    }
    int i = Arrays.binarySearch(names, name);
    return i >= 0 ? values[i] : null;
  }

  /** Number of pairs. */
  public int size() {
    return names.length;
  }

  public boolean isEmpty() {
    return names.length == 0;
  }

  /** Label names in sorted order. */
  public List<String> names() {
    return Collections.unmodifiableList(Arrays.asList(names));
  }

  /** Label values in the order of {@link #names()}. */
  public List<String> values() {
    return Collections.unmodifiableList(Arrays.asList(values));
  }

  /** The pairs as a sorted, unmodifiable map. */
  public Map<String, String> asMap() {
    TreeMap<String, String> map = new TreeMap<>();
    for (int i = 0; i < names.length; i++) {
      map.put(names[i], values[i]);
    }
    return Collections.unmodifiableMap(map);
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || o instanceof Labels other
            && hash == other.hash
            && Arrays.equals(names, other.names)
            && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /** Prometheus notation: {@code {a="1", b="x\"y"}}. */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>(names.length);
    for (int i = 0; i < names.length; i++) {
      parts.add(names[i] + "=\"" + escape(values[i]) + "\"");
    }
    return "{" + String.join(", ", parts) + "}";
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
