package io.tillwatch.agent.backup;

import static io.tillwatch.agent.backup.BackupMetrics.*;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Freshness, duration, size and count per backup type, from the backups a repository holds. */
final class BackupSet {
  static final List<String> TYPES = List.of("full", "diff", "incr");

  private BackupSet() {}

  /**
   * Samples for every type that some backup satisfies (see {@link Backup#counts}).
   *
   * @param base labels every sample carries (e.g. {@code stanza})
   * @param now Unix seconds now
   */
  static List<Sample> samples(List<Backup> backups, Labels base, double now) {
    List<Sample> out = new ArrayList<>();
    for (String type : TYPES) {
      Labels l = base.with("type", type);
      Optional<Backup> newest =
          backups.stream()
              .filter(b -> b.counts(type))
              .max(Comparator.comparingDouble(Backup::stop));
      out.add(COUNT.sample(l, backups.stream().filter(b -> b.type().equals(type)).count()));
      newest.ifPresent(
          b -> {
            out.add(LAST_SUCCESS.sample(l, b.stop()));
            out.add(AGE.sample(l, Math.max(0, now - b.stop())));
            add(out, LAST_DURATION, l, b.stop() - b.start());
            add(out, LAST_SIZE, l, b.size());
          });
    }
    double repo =
        backups.stream().mapToDouble(Backup::repoBytes).filter(v -> !Double.isNaN(v)).sum();
    out.add(REPO_SIZE.sample(base, repo));
    out.add(CHECKSUM_ERRORS.sample(base, backups.stream().filter(Backup::checksumErrors).count()));
    return out;
  }

  static void add(List<Sample> out, Metric m, Labels l, double v) {
    if (!Double.isNaN(v)) {
      out.add(m.sample(l, v));
    }
  }
}
