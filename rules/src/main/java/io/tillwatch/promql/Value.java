package io.tillwatch.promql;

import io.tillwatch.model.Labels;
import java.util.List;

/** What an expression evaluates to. Labels include {@code __name__} where a series has one. */
public sealed interface Value {
  /** A number at a time. */
  record Scalar(long time, double value) implements Value {}

  /** A string. */
  record Str(long time, String value) implements Value {}

  /** One element of an instant vector; {@code time} is the sample's own timestamp. */
  record Sample(Labels labels, double value, long time) {}

  /** Instant vector. */
  record Vector(List<Sample> samples) implements Value {}

  /** One series of a range vector. */
  record Series(Labels labels, long[] times, double[] values) {
    public int size() {
      return times.length;
    }
  }

  /** Range vector. */
  record Matrix(List<Series> series) implements Value {}
}
