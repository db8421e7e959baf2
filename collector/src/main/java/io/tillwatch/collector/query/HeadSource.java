package io.tillwatch.collector.query;

import io.tillwatch.collector.head.Head;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The head as the engine's {@link SeriesSource}, seen by one reader: a reader limited to some
 * tenants never sees another tenant's series, whatever it asks for.
 */
public final class HeadSource implements SeriesSource {
  private final Head head;
  private final TenantScope tenants;

  /**
   * @param tenants the tenants the reader may see
   */
  public HeadSource(Head head, TenantScope tenants) {
    this.head = head;
    this.tenants = tenants;
  }

  /** The series the reader may see among those a selector could match. */
  public List<Series> candidates(List<Matcher> matchers) {
    Collection<Series> pool = head.series();
    for (Matcher m : matchers) {
      if (m.name().equals("__name__") && m.op() == Matcher.Op.EQ) {
        pool = head.series(m.value());
        break;
      }
    }
    List<Series> out = new ArrayList<>();
    for (Series s : pool) {
      if (!tenants.allows(s.tenant())) {
        continue;
      }
      boolean all = true;
      for (Matcher m : matchers) {
        String v = m.name().equals("__name__") ? s.name() : s.labels().get(m.name());
        if (!m.matches(v)) {
          all = false;
          break;
        }
      }
      if (all) {
        out.add(s);
      }
    }
    return out;
  }

  /** As {@link #candidates(List)}, of those with a sample between {@code from} and {@code to}. */
  public List<Series> candidates(List<Matcher> matchers, long from, long to) {
    List<Series> out = new ArrayList<>();
    for (Series s : candidates(matchers)) {
      if (head.any(s, from, to)) {
        out.add(s);
      }
    }
    return out;
  }

  @Override
  public List<Stored> select(List<Matcher> matchers, long minTime, long maxTime) {
    List<Stored> out = new ArrayList<>();
    for (Series s : candidates(matchers)) {
      Head.Samples got = head.samples(s, minTime, maxTime);
      if (got != null) {
        out.add(new Stored(withName(s), got.times(), got.values()));
      }
    }
    return out;
  }

  /** The series' labels with {@code __name__}, as the engine sees them. */
  public static Labels withName(Series s) {
    return s.labels().with("__name__", s.name());
  }
}
