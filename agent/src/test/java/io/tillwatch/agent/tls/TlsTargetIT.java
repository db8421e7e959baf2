package io.tillwatch.agent.tls;

import static io.tillwatch.agent.TestAgents.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.TestAgents;
import io.tillwatch.agent.config.TlsTargetConfig;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.tillwatch.promql.MemorySource;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.GroupEvaluator;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code tls} target against a real TLS server with certificates openssl makes in the test: a
 * leaf signed by a private CA that expires in 2 days — its expiry, issuer and a valid chain with
 * the CA file; untrusted without it; a name it does not carry; and the built-in pack's {@code
 * CertificateExpiresIn3Days} on what was scraped.
 */
class TlsTargetIT {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();
  private Agent agent;

  @AfterEach
  void stop() {
    TestAgents.stop(agent);
    vertx.close().await();
  }

  /** A CA for 30 days, and a shop certificate it signs for 2 days. */
  private void certificates() throws Exception {
    new io.tillwatch.testkit.Certificates(dir)
        .ca("tillwatch test CA", 30)
        .signed("shop", "shop.acme.test", "DNS:shop.acme.test,IP:127.0.0.1", 2);
  }

  private static TlsTargetConfig tls(String name, int port, String serverName, Path ca) {
    return new TlsTargetConfig(
        name,
        new HostPort("127.0.0.1", port),
        serverName,
        Optional.ofNullable(ca),
        Optional.empty());
  }

  @Test
  @Timeout(120)
  void aCertificateExpiringInTwoDaysIsReadAndPagesAndBadChainsSayWhy() throws Exception {
    certificates();
    NetServer server =
        vertx
            .createNetServer(
                new NetServerOptions()
                    .setSsl(true)
                    .setKeyCertOptions(
                        new PemKeyCertOptions()
                            .setCertValue(
                                io.vertx.core.buffer.Buffer.buffer(
                                    Files.readString(dir.resolve("shop.crt"))
                                        + Files.readString(dir.resolve("ca.crt"))))
                            .setKeyValue(
                                io.vertx.core.buffer.Buffer.buffer(
                                    Files.readAllBytes(dir.resolve("shop.key"))))))
            .connectHandler(socket -> socket.handler(b -> socket.close()))
            .listen(0, "127.0.0.1")
            .await(30, TimeUnit.SECONDS);
    int port = server.actualPort();
    int nobody;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      nobody = s.getLocalPort();
    }
    long before = System.currentTimeMillis() / 1000;
    agent =
        TestAgents.started(
            TestAgents.estate(
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                tls("shop-tls", port, "shop.acme.test", dir.resolve("ca.crt")),
                tls("shop-untrusted", port, "shop.acme.test", null),
                tls("shop-wrong-name", port, "pos.acme.test", dir.resolve("ca.crt")),
                tls("nothing-there", nobody, "shop.acme.test", null)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                value(agent.samples(), "tillwatch_tls_chain_valid", "target", "shop-wrong-name")
                        .isPresent()
                    && value(agent.samples(), "tillwatch_tls_chain_valid", "target", "shop-tls")
                        .isPresent()
                    && value(
                            agent.samples(),
                            "tillwatch_tls_chain_valid",
                            "target",
                            "shop-untrusted")
                        .isPresent());
    List<Sample> samples = agent.samples();

    // the good chain: valid, expiring in two days (the leaf; the CA lasts 30)
    assertThat(value(samples, "tillwatch_tls_chain_valid", "target", "shop-tls", "reason", "ok"))
        .hasValue(1.0);
    double expiry =
        value(samples, "tillwatch_tls_cert_expiry_seconds", "target", "shop-tls").orElseThrow();
    assertThat(expiry).isBetween(2 * 86400.0 - 120, 2 * 86400.0 + 5);
    double notAfter =
        value(samples, "tillwatch_tls_cert_not_after_timestamp_seconds", "target", "shop-tls")
            .orElseThrow();
    assertThat(notAfter - before).isBetween(2 * 86400.0 - 120, 2 * 86400.0 + 120);
    assertThat(
            value(
                samples,
                "tillwatch_tls_cert_info",
                "target",
                "shop-tls",
                "subject_cn",
                "shop.acme.test",
                "issuer_cn",
                "tillwatch test CA",
                "sans",
                "shop.acme.test,127.0.0.1"))
        .hasValue(1.0);
    // without the private CA: read all the same, and untrusted; another name: a mismatch
    assertThat(
            value(
                samples,
                "tillwatch_tls_chain_valid",
                "target",
                "shop-untrusted",
                "reason",
                "untrusted"))
        .hasValue(0.0);
    assertThat(value(samples, "tillwatch_tls_cert_expiry_seconds", "target", "shop-untrusted"))
        .isPresent();
    assertThat(
            value(
                samples,
                "tillwatch_tls_chain_valid",
                "target",
                "shop-wrong-name",
                "reason",
                "hostname_mismatch"))
        .hasValue(0.0);
    // nobody listening: the target is down, and the others are not
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                value(agent.samples(), "tillwatch_target_up", "target", "nothing-there").orElse(-1)
                    == 0);
    assertThat(value(agent.samples(), "tillwatch_target_up", "target", "shop-tls")).hasValue(1.0);

    // the built-in pack pages on what was scraped: two days left
    RuleGroup certificates =
        new RuleFileLoader(Files::readString)
            .loadBuiltin().stream()
                .filter(g -> g.name().equals("tillwatch-certificates"))
                .findFirst()
                .orElseThrow();
    MemorySource data = new MemorySource();
    long now = System.currentTimeMillis();
    for (Sample s : samples) {
      data.append(s.labels().with("__name__", s.name()), now, s.value());
    }
    GroupEvaluator eval = new GroupEvaluator(certificates, id -> null, Optional.empty());
    assertThat(eval.evaluate(data, now, (series, t, v) -> {}).ok()).isTrue();
    List<String> paged = new ArrayList<>();
    for (var e : eval.alerts().entrySet()) {
      for (AlertState.Alert a : e.getValue().alerts(AlertState.State.FIRING)) {
        paged.add(e.getKey().name() + " " + a.labels().get("target"));
      }
    }
    assertThat(paged)
        .contains("CertificateExpiresIn3Days shop-tls", "CertificateExpiresIn3Days shop-untrusted")
        .noneMatch(p -> p.startsWith("CertificateExpiresIn14Days"));
    Rule.Alerting threeDays =
        eval.alerts().keySet().stream()
            .filter(r -> r.name().equals("CertificateExpiresIn3Days"))
            .findFirst()
            .orElseThrow();
    AlertState.Alert shop =
        eval.alerts(threeDays).alerts(AlertState.State.FIRING).stream()
            .filter(
                a ->
                    Labels.of("target", "shop-tls").asMap().entrySet().stream()
                        .allMatch(x -> x.getValue().equals(a.labels().get(x.getKey()))))
            .findFirst()
            .orElseThrow();
    assertThat(shop.annotations().get("summary"))
        .startsWith("A certificate of acme (shop-tls) expires in 1d 23h");
    assertThat(shop.labels().get("risk")).isEqualTo("order_capture");
  }
}
