package io.tillwatch.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.push.OtlpEncoder;
import io.tillwatch.agent.push.Pusher;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import io.tillwatch.model.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent's push buffer being written as fast as it goes, to be killed: {@code BufferWriter <dir>
 * <first scrape> <base time ms> <dead port> <last scrape> <report file>} adds scrape after scrape
 * (each {@link AgentCrashIT#PER_SCRAPE} samples at {@code base + n s}), flushes each to the disk
 * buffer, and appends {@code n} to the report file once the flush returned (a write per line: a
 * kill loses none that was written). The collector it points at is not there, so nothing leaves the
 * buffer.
 */
public final class BufferWriter {
  private BufferWriter() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int first = Integer.parseInt(args[1]);
    long base = Long.parseLong(args[2]);
    int deadPort = Integer.parseInt(args[3]);
    int last = Integer.parseInt(args[4]);
    Path report = Path.of(args[5]);
    Metric m = Metric.gauge("crash_agent_gauge", "A gauge the killed agent buffered.");
    Pusher p =
        new Pusher(
                new PushConfig(
                    URI.create("http://127.0.0.1:" + deadPort + "/v1/metrics"),
                    Secret.of("agent-crash-token-0123456789"),
                    512L * 1000 * 1000,
                    dir),
                new SimpleMeterRegistry())
            .start();
    for (int n = first; n <= last; n++) {
      List<Sample> samples = new ArrayList<>();
      for (int s = 0; s < AgentCrashIT.PER_SCRAPE; s++) {
        samples.add(m.sample(Labels.of("tenant", "acme", "shard", Integer.toString(s)), n));
      }
      p.add(new OtlpEncoder.Scrape(base + n * 1000L, samples));
      p.flush();
      try {
        java.nio.file.Files.writeString(
            report,
            n + "\n",
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    p.close();
  }
}
