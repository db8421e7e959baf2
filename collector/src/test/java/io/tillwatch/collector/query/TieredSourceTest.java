package io.tillwatch.collector.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import io.tillwatch.promql.SeriesSource.Stored;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TieredSourceTest {
  private static final Labels A = Labels.of("__name__", "x", "tenant", "a");
  private static final Labels B = Labels.of("__name__", "x", "tenant", "b");

  /** A source that answers {@code series} cut to the asked range, and records the ranges asked. */
  private static SeriesSource source(List<long[]> asked, Stored... series) {
    return (matchers, min, max) -> {
      asked.add(new long[] {min, max});
      List<Stored> out = new ArrayList<>();
      for (Stored s : series) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < s.times().length; i++) {
          if (s.times()[i] >= min && s.times()[i] <= max) {
            keep.add(i);
          }
        }
        if (!keep.isEmpty()) {
          long[] t = new long[keep.size()];
          double[] v = new double[keep.size()];
          for (int i = 0; i < keep.size(); i++) {
            t[i] = s.times()[keep.get(i)];
            v[i] = s.values()[keep.get(i)];
          }
          out.add(new Stored(s.labels(), t, v));
        }
      }
      return out;
    };
  }

  @Test
  void aRangeAcrossTheHeadsStartReadsStorageBeforeItAndTheHeadFromIt() {
    // storage has everything; the head holds from 100 on
    Stored storedA = new Stored(A, new long[] {10, 50, 100, 150}, new double[] {1, 2, 3, 4});
    Stored storedB = new Stored(B, new long[] {20}, new double[] {7});
    Stored headA = new Stored(A, new long[] {100, 150}, new double[] {3, 4});
    Stored headOnly =
        new Stored(Labels.of("__name__", "x", "tenant", "c"), new long[] {120}, new double[] {9});
    List<long[]> storageAsked = new ArrayList<>();
    List<long[]> headAsked = new ArrayList<>();
    TieredSource t =
        new TieredSource(
            source(headAsked, headA, headOnly), source(storageAsked, storedA, storedB), () -> 100);
    List<Matcher> any = List.of();

    List<Stored> joined = t.select(any, 0, 200);
    assertThat(storageAsked).singleElement().satisfies(r -> assertThat(r).containsExactly(0, 99));
    assertThat(headAsked).singleElement().satisfies(r -> assertThat(r).containsExactly(100, 200));
    assertThat(joined).hasSize(3);
    assertThat(joined.get(0).times()).containsExactly(10, 50, 100, 150);
    assertThat(joined.get(0).values()).containsExactly(1, 2, 3, 4);
    assertThat(joined.get(1).labels()).isEqualTo(B);
    assertThat(joined.get(2).times()).containsExactly(120);

    storageAsked.clear();
    headAsked.clear();
    assertThat(t.select(any, 0, 60)).hasSize(2);
    assertThat(headAsked).isEmpty();
    assertThat(t.select(any, 100, 200)).hasSize(2);
    assertThat(storageAsked).hasSize(1);
  }
}
