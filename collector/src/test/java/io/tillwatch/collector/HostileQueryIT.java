package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.ACME;
import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.model.Secret;
import io.tillwatch.promql.QueryLimits;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Queries written to hurt: each ends with its 4xx/503 in bounded time while another sender's ingest
 * keeps succeeding, and the collector stays up.
 */
class HostileQueryIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final String SMALL = "small-tenant-token-0123456789";

  private static Backend collector;

  private record Answer(int status, JsonNode body, Duration took) {
    String errorType() {
      return body.path("errorType").asText();
    }

    String error() {
      return body.path("error").asText();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    PG.createDatabase("hostile");
    CollectorConfig base =
        TestCollectors.config(
            PG.server(),
            "hostile",
            Duration.ofMinutes(1),
            AlertingConfig.NONE,
            new QueryConfig(TIMEOUT, QueryConfig.DEFAULT.maxSamples(), 2));
    List<TokenGrant> tokens = new ArrayList<>(base.tokens());
    // a tenant with limits of its own: 1,000 samples
    tokens.add(
        new TokenGrant(
            Secret.of(SMALL),
            Set.of("acme"),
            Optional.of(new QueryLimits(1_000, Duration.ofSeconds(30)))));
    CollectorConfig config =
        new CollectorConfig(
            base.listen(),
            base.storage(),
            base.head(),
            tokens,
            base.maxQueuedSamples(),
            base.ruleFiles(),
            false,
            base.evaluationInterval(),
            base.alerting(),
            base.query());
    collector = TestCollectors.start(config, List.of(), java.util.Map.of());
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
  }

  private static Answer get(String pathAndQuery) throws Exception {
    return get(ACME, pathAndQuery);
  }

  private static Answer get(String token, String pathAndQuery) throws Exception {
    long start = System.nanoTime();
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + collector.port() + pathAndQuery))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return new Answer(
        r.statusCode(), JSON.readTree(r.body()), Duration.ofNanos(System.nanoTime() - start));
  }

  private static String query(String expr) {
    return "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
  }

  @Test
  @Timeout(120)
  void everyHostileQueryEndsWithItsErrorWhileIngestFlows() throws Exception {
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger accepted = new AtomicInteger();
    List<Integer> refused = new ArrayList<>();
    Thread sender =
        Thread.ofPlatform()
            .start(
                () -> {
                  int n = 0;
                  while (sending.get()) {
                    // ten seconds of a series of its own, ending a minute ago: within the window
                    // of times accepted however long the attack lasts
                    long t = System.currentTimeMillis() - 60_000;
                    int status =
                        Otlp.post(
                                collector.port(),
                                PLATFORM,
                                Otlp.gauge("acme", "orders", "a" + n++, t, 10))
                            .statusCode();
                    if (status == 200) {
                      accepted.incrementAndGet();
                    } else {
                      synchronized (refused) {
                        refused.add(status);
                      }
                    }
                  }
                });
    try {
      // a subquery of 3e11 steps: refused before it starts
      Answer bomb = get(query("vector(1)[3650d:1ms]"));
      assertThat(bomb.status()).isEqualTo(422);
      assertThat(bomb.errorType()).isEqualTo("execution");
      assertThat(bomb.error()).contains("too many samples");
      assertThat(bomb.took()).isLessThan(Duration.ofSeconds(10));

      // a query past the timeout: 503 timeout, within the timeout and a little
      Answer slow = get(query("count_over_time(vector(1)[30d:100ms])"));
      assertThat(slow.status()).isEqualTo(503);
      assertThat(slow.errorType()).isEqualTo("timeout");
      assertThat(slow.took()).isLessThan(TIMEOUT.plusSeconds(5));

      // times that would wrap or never end
      Answer wrap =
          get(
              "/api/v1/query_range?query=vector(1)&start=9223372036854775&end=9223372036854775&step=1");
      assertThat(wrap.status()).isEqualTo(400);
      assertThat(wrap.errorType()).isEqualTo("bad_data");
      assertThat(wrap.error())
          .isEqualTo(
              "invalid parameter \"start\": cannot parse \"9223372036854775\" to a valid"
                  + " timestamp");
      Answer far = get(query("vector(1)") + "&time=1e30");
      assertThat(far.status()).isEqualTo(400);
      assertThat(far.error()).contains("\"time\": cannot parse \"1e30\"");
      Answer step = get("/api/v1/query_range?query=vector(1)&start=0&end=1&step=1e30");
      assertThat(step.status()).isEqualTo(400);

      // a regex that backtracks for hours elsewhere: refused (back-reference), or linear
      Answer backref =
          get(
              query(
                  "label_replace(label_join(vector(1),\"x\",\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                      + "\"a\",\"b\"),\"y\",\"\",\"x\",\"(a*)*\\\\1b\")"));
      assertThat(backref.status()).isEqualTo(422);
      assertThat(backref.error()).contains("invalid escape sequence");
      Answer linear = get(query("up{job=~\"(a*)*b\"}"));
      assertThat(linear.status()).isEqualTo(200);

      // what used to escape the parser as a raw exception
      for (String bad : List.of("x{a=\"\\x4\"}", "\"\\xZZ\"", "0xFFFFFFFFFFFFFFFFFF")) {
        Answer a = get(query(bad));
        assertThat(a.status()).as(bad).isEqualTo(400);
        assertThat(a.errorType()).isEqualTo("bad_data");
        assertThat(a.error())
            .as(bad)
            .containsPattern("^invalid parameter \"query\": 1:\\d+: parse error: ");
      }

      // far more slow queries (each ~26M steps, seconds of work) than the pool (2) and its queue
      // (8) take: the rest are refused at once
      List<CompletableFuture<Answer>> many = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        many.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return get(query("count_over_time(vector(1)[30d:100ms])"));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                Thread::startVirtualThread));
      }
      List<Answer> answers = many.stream().map(CompletableFuture::join).toList();
      assertThat(answers).allMatch(a -> a.status() == 503);
      assertThat(answers).anyMatch(a -> a.errorType().equals("unavailable"));
      assertThat(answers).anyMatch(a -> a.errorType().equals("timeout"));

      // a token's own limits apply to it alone
      String hour = query("count_over_time(vector(1)[1h:1s])");
      assertThat(get(hour).status()).isEqualTo(200);
      Answer small = get(SMALL, hour);
      assertThat(small.status()).isEqualTo(422);
      assertThat(small.error()).contains("too many samples");

      // and the collector still answers
      assertThat(get(query("1 + 1")).status()).isEqualTo(200);
    } finally {
      sending.set(false);
      sender.join();
    }
    assertThat(refused).isEmpty();
    assertThat(accepted.get()).isGreaterThan(10);
    System.out.printf(
        "HostileQueryIT: %d ingest requests accepted during the attack%n", accepted.get());
  }
}
