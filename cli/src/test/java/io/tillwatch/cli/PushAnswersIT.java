package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.push.OtlpEncoder;
import io.tillwatch.agent.push.Pusher;
import io.tillwatch.collector.Backend;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import io.tillwatch.model.Secret;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agent's push does with each answer of a real collector: a tenant the token may not write
 * is held aside while granted tenants flow (403), an unknown token holds everything (401), a wrong
 * push path keeps the batches (404), a batch the collector cannot read is dropped (400) and the
 * next ones go on.
 */
class PushAnswersIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final String EU = "agent-eu-token-0123456789";
  private static final Metric ORDERS = Metric.gauge("orders_open", "Open orders.");
  @TempDir Path dir;
  private Backend collector;
  private final List<Pusher> pushers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    String db = PG.createDatabase("push" + System.nanoTime());
    // this token may write acme, not globex
    collector = TestCollector.start(PG.server(), db, 0, EU, Set.of("acme"));
  }

  @AfterEach
  void stop() {
    pushers.forEach(Pusher::close);
    if (collector != null) {
      collector.close();
    }
  }

  private Pusher pusher(String path, String token, MeterRegistry meters) {
    Pusher p =
        new Pusher(
            new PushConfig(
                URI.create("http://127.0.0.1:" + collector.port() + path),
                Secret.of(token),
                64L * 1000 * 1000,
                dir.resolve("buffer")),
            meters);
    pushers.add(p);
    return p.start();
  }

  private static void scrape(Pusher p, long time, String... tenants) {
    List<Sample> samples = new ArrayList<>();
    for (String t : tenants) {
      samples.add(ORDERS.sample(Labels.of("tenant", t, "shop", "s1"), 3));
      samples.add(ORDERS.sample(Labels.of("tenant", t, "shop", "s2"), 4));
    }
    p.add(new OtlpEncoder.Scrape(time, samples));
    p.flush();
  }

  private static double rejected(MeterRegistry m, String reason) {
    var c = m.find("tillwatch.push.rejected").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aTenantTheTokenMayNotWriteIsHeldAsideWhileTheOthersFlow() {
    MeterRegistry m = new SimpleMeterRegistry();
    Pusher p = pusher("/v1/metrics", EU, m);
    long now = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      scrape(p, now + i * 1000L, "acme", "globex");
    }
    // every batch: acme's part stored, globex's part held aside (not dropped)
    await().atMost(Duration.ofSeconds(30)).until(() -> p.sentSamples() == 10);
    await().until(() -> p.buffer().size() == 0);
    assertThat(p.buffer().heldSize()).isEqualTo(5);
    assertThat(p.buffer().samples()).isEqualTo(10);
    assertThat(rejected(m, "forbidden")).isEqualTo(5);
    assertThat(p.check().ok()).isFalse();
    assertThat(p.check().reason()).contains("403").contains("globex");
    // a batch of acme alone goes straight through
    scrape(p, now + 10_000, "acme");
    await().until(() -> p.sentSamples() == 12);
  }

  @Test
  void anUnknownTokenHoldsEverythingAndAWrongPathKeepsIt() {
    MeterRegistry m = new SimpleMeterRegistry();
    Pusher unknown = pusher("/v1/metrics", "nobody-knows-this-token", m);
    long now = System.currentTimeMillis();
    scrape(unknown, now, "acme");
    await().atMost(Duration.ofSeconds(30)).until(() -> unknown.buffer().heldSize() == 1);
    assertThat(rejected(m, "unauthorized")).isEqualTo(1);
    assertThat(unknown.check().reason()).contains("401");
    unknown.close();
    pushers.remove(unknown);

    MeterRegistry m2 = new SimpleMeterRegistry();
    Pusher wrong = pusher("/v1/metric", EU, m2); // a typo in agent.push.url
    scrape(wrong, now + 1000, "acme");
    await().atMost(Duration.ofSeconds(30)).until(() -> rejected(m2, "not_found") >= 1);
    assertThat(wrong.buffer().size()).isEqualTo(1); // kept: nothing is lost to a typo
    assertThat(wrong.sentSamples()).isZero();
    assertThat(wrong.check().reason()).contains("404").contains("agent.push.url");
  }

  @Test
  void aBatchTheCollectorCannotReadIsDroppedAndTheNextGoOn() throws Exception {
    Path buffer = dir.resolve("buffer");
    Files.createDirectories(buffer);
    // a batch cut short (a disk that lost its tail): not a request the collector can read
    Files.write(buffer.resolve("0000000000000000-7.otlp"), new byte[] {0x0a, 0x7f, 0x01});
    MeterRegistry m = new SimpleMeterRegistry();
    Pusher p = pusher("/v1/metrics", EU, m);
    scrape(p, System.currentTimeMillis(), "acme");
    await().atMost(Duration.ofSeconds(30)).until(() -> p.sentSamples() == 2);
    assertThat(rejected(m, "bad_request")).isEqualTo(1);
    assertThat(p.buffer().size()).isZero();
  }
}
