package io.tillwatch.calendar;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A half-open stretch of time {@code [start, end)}. */
public record Interval(Instant start, Instant end) {
  public Interval {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException(
          "an interval ends before it starts: " + start + ".." + end);
    }
  }

  public Duration length() {
    return Duration.between(start, end);
  }

  public boolean isEmpty() {
    return !end.isAfter(start);
  }

  public boolean contains(Instant t) {
    return !t.isBefore(start) && t.isBefore(end);
  }

  /** The part of this interval inside {@code o} (possibly empty, at this interval's start). */
  public Interval intersect(Interval o) {
    Instant s = start.isAfter(o.start) ? start : o.start;
    Instant e = end.isBefore(o.end) ? end : o.end;
    return e.isAfter(s) ? new Interval(s, e) : new Interval(start, start);
  }

  /** This interval without every part covered by {@code holes} (in any order, may overlap). */
  public List<Interval> minus(List<Interval> holes) {
    List<Interval> out = new ArrayList<>(List.of(this));
    for (Interval h : holes) {
      List<Interval> next = new ArrayList<>();
      for (Interval piece : out) {
        if (!h.end.isAfter(piece.start) || !h.start.isBefore(piece.end)) {
          next.add(piece);
          continue;
        }
        if (h.start.isAfter(piece.start)) {
          next.add(new Interval(piece.start, h.start));
        }
        if (h.end.isBefore(piece.end)) {
          next.add(new Interval(h.end, piece.end));
        }
      }
      out = next;
    }
    return out;
  }

  /** The total length of {@code intervals} (assumed not to overlap). */
  public static Duration total(List<Interval> intervals) {
    Duration d = Duration.ZERO;
    for (Interval i : intervals) {
      d = d.plus(i.length());
    }
    return d;
  }
}
