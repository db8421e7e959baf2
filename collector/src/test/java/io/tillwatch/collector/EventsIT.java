package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.ACME;
import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /api/v1/events} on a real PostgreSQL: events are stored, listed per tenant, shown as the
 * series {@code tillwatch_event}, and what is wrong with a request is a 400 naming the field, with
 * nothing stored.
 */
class EventsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static Backend collector;

  @BeforeAll
  static void start() throws Exception {
    PG.createDatabase("events");
    CollectorConfig c = TestCollectors.config(PG.server(), "events", 1_000_000);
    collector =
        Backend.start(
            c,
            c.storage().url().orElseThrow(),
            c.storage().user(),
            c.storage().password(),
            List.of(),
            Map.of());
  }

  @AfterAll
  static void stop() {
    if (collector != null) {
      collector.close();
    }
  }

  private static HttpResponse<String> send(String method, String token, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + collector.port() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return Otlp.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r, int status) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return new ObjectMapper().readTree(r.body());
  }

  private static long stored() {
    return TestCollectors.count(PG.server(), "events", "SELECT count(*) FROM events");
  }

  @Test
  void eventsAreStoredListedPerTenantAndShownAsASeries() throws Exception {
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(600);
    JsonNode posted =
        json(
            send(
                "POST",
                ACME,
                "/api/v1/events",
                """
                {"type": "deploy", "tenant": "acme", "service": "odoo", "version": "17.0.20241201",
                 "at": "%s", "text": "stock module upgrade"}
                """
                    .formatted(at)),
            200);
    assertThat(posted.path("status").asText()).isEqualTo("success");
    JsonNode e = posted.path("data");
    assertThat(e.path("id").asLong()).isPositive();
    assertThat(e.path("type").asText()).isEqualTo("deploy");
    assertThat(e.path("at").asText()).isEqualTo(at.toString());
    assertThat(e.path("version").asText()).isEqualTo("17.0.20241201");
    // another tenant's maintenance, at the collector's time, with a length
    JsonNode m =
        json(
                send(
                    "POST",
                    PLATFORM,
                    "/api/v1/events",
                    "{\"type\":\"maintenance\",\"tenant\":\"globex\",\"duration\":\"2h\"}"),
                200)
            .path("data");
    assertThat(Duration.between(Instant.parse(m.path("at").asText()), Instant.now()).abs())
        .isLessThan(Duration.ofMinutes(1));
    assertThat(m.path("duration").asText()).isEqualTo("2h");
    assertThat(Instant.parse(m.path("ends_at").asText()))
        .isEqualTo(Instant.parse(m.path("at").asText()).plus(Duration.ofHours(2)));

    // a tenant's token lists its own events only; the platform's all, or the ones asked for
    List<String> acmeSees = tenants(json(send("GET", ACME, "/api/v1/events", null), 200));
    assertThat(acmeSees).containsExactly("acme");
    assertThat(tenants(json(send("GET", PLATFORM, "/api/v1/events", null), 200)))
        .containsExactly("acme", "globex");
    assertThat(tenants(json(send("GET", PLATFORM, "/api/v1/events?tenant=globex", null), 200)))
        .containsExactly("globex");
    assertThat(tenants(json(send("GET", PLATFORM, "/api/v1/events?type=maintenance", null), 200)))
        .containsExactly("globex");
    // the range: the deploy 10 minutes ago is outside the last 5 minutes, the 2-hour
    // maintenance running into them is inside
    String lastFive = "/api/v1/events?from=" + Instant.now().minusSeconds(300).getEpochSecond();
    assertThat(tenants(json(send("GET", PLATFORM, lastFive, null), 200))).containsExactly("globex");
    assertThat(json(send("GET", ACME, "/api/v1/events?tenant=globex", null), 404).path("error"))
        .asString()
        .contains("globex");
    assertThat(send("GET", null, "/api/v1/events", null).statusCode()).isEqualTo(401);
    assertThat(send("DELETE", PLATFORM, "/api/v1/events", null).statusCode()).isEqualTo(405);

    // the series, for Grafana's annotations: 1 at the event, under the event's labels
    collector.settle(Duration.ofSeconds(30));
    JsonNode result =
        json(
                send(
                    "GET",
                    ACME,
                    "/api/v1/query?query="
                        + URLEncoder.encode("tillwatch_event", StandardCharsets.UTF_8)
                        + "&time="
                        + at.getEpochSecond(),
                    null),
                200)
            .path("data")
            .path("result");
    assertThat(result).hasSize(1);
    assertThat(result.get(0).path("metric").path("__name__").asText()).isEqualTo("tillwatch_event");
    assertThat(result.get(0).path("metric").path("type").asText()).isEqualTo("deploy");
    assertThat(result.get(0).path("metric").path("service").asText()).isEqualTo("odoo");
    assertThat(result.get(0).path("metric").path("version").asText()).isEqualTo("17.0.20241201");
    assertThat(result.get(0).path("value").get(1).asText()).isEqualTo("1");
  }

  private static List<String> tenants(JsonNode answer) {
    List<String> out = new ArrayList<>();
    answer.path("data").forEach(e -> out.add(e.path("tenant").asText()));
    return out;
  }

  @Test
  void aBadEventIsRefusedNamingTheFieldAndNothingIsStored() throws Exception {
    long before = stored();
    String ahead = Instant.now().plus(Duration.ofHours(1)).toString();
    Map<String, String> cases =
        Map.ofEntries(
            Map.entry("not json", "body is not JSON"),
            Map.entry("[1, 2]", "body must be a JSON object"),
            Map.entry("{\"tenant\": \"acme\"}", "field \"type\": missing"),
            Map.entry(
                "{\"type\": \"release\", \"tenant\": \"acme\"}",
                "field \"type\": unknown type 'release'"),
            Map.entry("{\"type\": \"deploy\", \"tenant\": \"acme\"}", "field \"version\""),
            Map.entry(
                "{\"type\": \"note\", \"tenant\": \"acme\", \"colour\": \"red\"}",
                "unknown field \"colour\""),
            Map.entry("{\"type\": \"note\", \"tenant\": \"Acme Corp\"}", "field \"tenant\""),
            Map.entry(
                "{\"type\": \"note\", \"tenant\": \"acme\", \"at\": \"" + ahead + "\"}",
                "field \"at\": more than 10m ahead"),
            Map.entry(
                "{\"type\": \"note\", \"tenant\": \"acme\", \"at\": \"yesterday\"}",
                "field \"at\""),
            Map.entry(
                "{\"type\": \"note\", \"tenant\": \"acme\", \"at\": 86400}",
                "field \"at\": older than 90d"),
            Map.entry(
                "{\"type\": \"deploy\", \"tenant\": \"acme\", \"version\": \"1\","
                    + " \"duration\": \"1h\"}",
                "field \"duration\": only maintenance and incident"),
            Map.entry(
                "{\"type\": \"maintenance\", \"tenant\": \"acme\", \"duration\": \"soon\"}",
                "field \"duration\""),
            Map.entry(
                "{\"type\": \"note\", \"tenant\": \"acme\", \"text\": \""
                    + "x".repeat(4001)
                    + "\"}",
                "field \"text\": longer than 4000"),
            Map.entry(
                "{\"type\": \"note\", \"tenant\": \"acme\", \"version\": 17}",
                "field \"version\": must be text"));
    for (Map.Entry<String, String> c : cases.entrySet()) {
      JsonNode answer = json(send("POST", ACME, "/api/v1/events", c.getKey()), 400);
      assertThat(answer.path("errorType").asText()).isEqualTo("bad_data");
      assertThat(answer.path("error").asText()).as(c.getKey()).contains(c.getValue());
    }
    // another tenant's event with a tenant's token: forbidden
    JsonNode forbidden =
        json(
            send("POST", ACME, "/api/v1/events", "{\"type\":\"note\",\"tenant\":\"globex\"}"), 403);
    assertThat(forbidden.path("error").asText()).contains("globex");
    assertThat(send("POST", null, "/api/v1/events", "{}").statusCode()).isEqualTo(401);
    assertThat(
            send("POST", ACME, "/api/v1/events", "{\"text\": \"" + "x".repeat(70_000) + "\"}")
                .statusCode())
        .isEqualTo(413);
    assertThat(stored()).isEqualTo(before);
  }
}
