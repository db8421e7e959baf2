package io.tillwatch.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SampleSnapshotsTest {
  @Test
  void writesTypedFamiliesWithEscapedLabels() throws Exception {
    Metric lag = Metric.gauge("tillwatch_pg_replication_lag_bytes", "Lag.");
    Metric failed = Metric.counter("tillwatch_pg_wal_archive_failed_total", "Failed.");
    Metric error = Metric.info("tillwatch_target_last_error_info", "Why.");
    List<Sample> samples =
        List.of(
            lag.sample(Labels.of("standby", "s\"1\\x\ny", "tenant", "acme"), 1024),
            failed.sample(Labels.of("tenant", "acme"), 3),
            error.sample(Labels.of("reason", "refused", "tenant", "acme"), 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, new SampleSnapshots(() -> samples).collect());
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
            # HELP tillwatch_pg_replication_lag_bytes Lag.
            # TYPE tillwatch_pg_replication_lag_bytes gauge
            tillwatch_pg_replication_lag_bytes{standby="s\\"1\\\\x\\ny",tenant="acme"} 1024.0
            # HELP tillwatch_pg_wal_archive_failed_total Failed.
            # TYPE tillwatch_pg_wal_archive_failed_total counter
            tillwatch_pg_wal_archive_failed_total{tenant="acme"} 3.0
            # HELP tillwatch_target_last_error_info Why.
            # TYPE tillwatch_target_last_error_info gauge
            tillwatch_target_last_error_info{reason="refused",tenant="acme"} 1
            """);
  }
}
