package io.tillwatch.collector.remote;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteRequestsTest {
  @Test
  void theBuilderGathersEachSeriesSamplesInArrivalOrder() {
    WriteRequests.Builder b = new WriteRequests.Builder();
    // 1,000 series (ids far apart and close together), 3 rounds of samples, interleaved
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 1000; i++) {
        long id = i % 2 == 0 ? i : (long) i << 40;
        b.add(id, new Series("m", Labels.of("s", "s" + i)), 1000L * round + i, round * 10 + i);
      }
    }
    List<WriteRequests.TimeSeries> series = b.series();
    assertThat(b.samples()).isEqualTo(3000);
    assertThat(b.highestTime()).isEqualTo(2999);
    assertThat(series).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      WriteRequests.TimeSeries ts = series.get(i);
      assertThat(ts.id()).isEqualTo(i % 2 == 0 ? i : (long) i << 40);
      assertThat(ts.series().labels().get("s")).isEqualTo("s" + i);
      assertThat(ts.count()).isEqualTo(3);
      for (int r = 0; r < 3; r++) {
        assertThat(ts.times()[r]).isEqualTo(1000L * r + i);
        assertThat(ts.values()[r]).isEqualTo(r * 10 + i);
      }
    }
  }
}
