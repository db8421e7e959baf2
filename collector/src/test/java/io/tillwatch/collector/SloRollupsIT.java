package io.tillwatch.collector;

import static io.tillwatch.collector.TestCollectors.ACME;
import static io.tillwatch.collector.TestCollectors.PLATFORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daily SLO rollups on a real PostgreSQL: a business-hours SLO over a calendar month counts
 * only the tenant's open hours less an exclusion, the status API and the history read them, a
 * restart does not count a slice twice, and a changed SLO is recounted.
 */
class SloRollupsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @TempDir Path dir;

  /** Acme trades 19:30–21:00 in Tokyo (no daylight saving): 10:30–12:00 UTC. */
  private static final Tenant ACME_TENANT =
      new Tenant(
          "acme",
          "Acme",
          Tier.DEDICATED,
          ZoneId.of("Asia/Tokyo"),
          BusinessHours.parse("Mon-Sun 19:30-21:00"));

  private static String sloFile(String exclusions) {
    return """
        slos:
          - name: orders-in-hours
            objective: 99
            window: month
            during: business_hours
            sli:
              events:
                good: sum by (tenant) (rate(requests_total{code!~"5.."}[{{.window}}]))
                total: sum by (tenant) (rate(requests_total[{{.window}}]))
        """
        + exclusions;
  }

  private static final String UPGRADE =
      """
      exclusions:
        - tenants: [acme]
          from: %s
          to: %s
          reason: planned PostgreSQL upgrade
      """;

  private static JsonNode get(Backend c, String token, String pathAndQuery, int status)
      throws Exception {
    HttpResponse<String> r =
        Otlp.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + pathAndQuery))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    return new ObjectMapper().readTree(r.body());
  }

  private Backend start(CollectorConfig config, Path slos, Clock clock) throws Exception {
    CollectorConfig c = config.withSloFiles(List.of(slos));
    return Backend.start(
        c,
        c.storage().url().orElseThrow(),
        c.storage().user(),
        c.storage().password(),
        RunningBackend.ruleGroups(c, Files::readString, Map.of("acme", ACME_TENANT)),
        RunningBackend.sloCatalog(c, Files::readString),
        Map.of("acme", ACME_TENANT),
        clock);
  }

  private static void countUp(Backend c) {
    for (int i = 0; i < 20 && c.slos().update() > 0; i++) {
      assertThat(c.slos().check().ok()).as(c.slos().check().reason()).isTrue();
    }
  }

  @Test
  @Timeout(300)
  void businessHoursLessExclusionsAreCountedOnceAndRecountedWhenTheSloChanges() throws Exception {
    // yesterday 10:00–12:00 UTC (19:00–21:00 in Tokyo), the outage in the last hour
    Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(12));
    LocalDate day = LocalDate.ofInstant(end, ZoneOffset.UTC);
    Path slos = dir.resolve("slos.yml");
    Files.writeString(
        slos,
        sloFile(UPGRADE.formatted(end.minus(Duration.ofMinutes(30)), end.minusSeconds(1200))));
    PG.createDatabase("rollups");
    CollectorConfig config =
        TestCollectors.config(
            PG.server(), "rollups", Duration.ofHours(1), AlertingConfig.NONE, QueryConfig.DEFAULT);
    // the collector's time: an hour after the outage, the same day in Tokyo
    Clock clock = Clock.fixed(end.plus(Duration.ofHours(1)), ZoneOffset.UTC);
    String slosAt = "/api/v1/slos?at=" + clock.instant();
    try (Backend c = start(config, slos, clock)) {
      Otlp.postOutage(c.port(), PLATFORM, "acme", "quiet", end.toEpochMilli());
      await().until(() -> c.queuedSamples() == 0);
      countUp(c);

      // counted: 19:30–20:00 good (3,000), 20:00–21:00 a third failing (9,000, 3,000 bad),
      // less the upgrade 20:30–20:40 (1,500, 500 bad)
      JsonNode rows = get(c, PLATFORM, slosAt, 200).path("data");
      JsonNode acme = find(rows, "acme");
      assertThat(acme.path("source").asText()).isEqualTo("rollups");
      assertThat(acme.path("total").asDouble()).isCloseTo(10_500, within(1e-6));
      assertThat(acme.path("good").asDouble()).isCloseTo(8_000, within(1e-6));
      assertThat(acme.path("attained").asDouble()).isCloseTo(8_000.0 / 10_500, within(1e-9));
      assertThat(acme.path("state").asText()).isEqualTo("Exhausted");
      assertThat(acme.path("window").asText()).isEqualTo("month");
      LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneId.of("Asia/Tokyo"));
      assertThat(acme.path("window_start").asText()).isEqualTo(today.withDayOfMonth(1).toString());
      // a tenant the estate does not know is counted round the clock in UTC: 2 hours
      assertThat(find(rows, "quiet").path("total").asDouble()).isCloseTo(36, within(1e-6));

      // the history: the day of the outage and none around it
      String history =
          "/api/v1/slos/acme/orders-in-hours/history?from="
              + day.minusDays(1)
              + "&to="
              + day.plusDays(1)
              + "&step=1d";
      JsonNode h = get(c, PLATFORM, history, 200).path("data");
      assertThat(h.path("zone").asText()).isEqualTo("Asia/Tokyo");
      assertThat(h.path("points")).hasSize(3);
      assertThat(h.path("points").get(0).path("attained").isNull()).isTrue();
      assertThat(h.path("points").get(1).path("from").asText()).isEqualTo(day.toString());
      assertThat(h.path("points").get(1).path("total").asDouble()).isCloseTo(10_500, within(1e-6));
      assertThat(h.path("points").get(1).path("window_budget_remaining").asDouble())
          .isCloseTo(1 - (2_500.0 / 10_500) / 0.01, within(1e-9));
      // a tenant's token sees its own history only; nonsense is a clear 400
      get(c, ACME, history, 200);
      get(c, ACME, "/api/v1/slos/quiet/orders-in-hours/history", 404);
      get(c, PLATFORM, "/api/v1/slos/acme/no-such-slo/history", 404);
      JsonNode bad = get(c, PLATFORM, history.replace("step=1d", "step=5m"), 400);
      assertThat(bad.path("error").asText()).contains("step");
    }

    // a restart counts nothing twice
    try (Backend c = start(config, slos, clock)) {
      countUp(c);
      JsonNode acme = find(get(c, PLATFORM, slosAt, 200).path("data"), "acme");
      assertThat(acme.path("total").asDouble()).isCloseTo(10_500, within(1e-6));
    }

    // the exclusion withdrawn: the SLO is recounted from the samples still kept
    Files.writeString(slos, sloFile(""));
    try (Backend c = start(config, slos, clock)) {
      countUp(c);
      JsonNode acme = find(get(c, PLATFORM, slosAt, 200).path("data"), "acme");
      assertThat(acme.path("total").asDouble()).isCloseTo(12_000, within(1e-6));
      assertThat(acme.path("good").asDouble()).isCloseTo(9_000, within(1e-6));
    }
  }

  @Test
  @Timeout(300)
  void maintenanceEventsOfTenantsWhosePolicyAllowsItAreExcluded() throws Exception {
    Instant end = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofHours(12));
    Path slos = dir.resolve("slos.yml");
    Files.writeString(slos, sloFile(""));
    PG.createDatabase("maintenance");
    CollectorConfig config =
        TestCollectors.config(
                PG.server(),
                "maintenance",
                Duration.ofHours(1),
                AlertingConfig.NONE,
                QueryConfig.DEFAULT)
            .withEvents(new io.tillwatch.collector.config.EventsConfig(java.util.Set.of("acme")));
    Clock clock = Clock.fixed(end.plus(Duration.ofHours(1)), ZoneOffset.UTC);
    try (Backend c = start(config, slos, clock)) {
      Otlp.postOutage(c.port(), PLATFORM, "acme", "quiet", end.toEpochMilli());
      // the same 10 minutes as the file's exclusion above, announced as maintenance of both
      // tenants: only acme's policy lets maintenance out of its SLOs
      for (String tenant : List.of("acme", "quiet")) {
        HttpResponse<String> r =
            Otlp.HTTP.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + c.port() + "/api/v1/events"))
                    .header("Authorization", "Bearer " + PLATFORM)
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"type\": \"maintenance\", \"tenant\": \"%s\", \"at\": \"%s\","
                                    .formatted(tenant, end.minus(Duration.ofMinutes(30)))
                                + " \"duration\": \"10m\", \"text\": \"PostgreSQL upgrade\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      }
      await().until(() -> c.queuedSamples() == 0);
      countUp(c);
      JsonNode rows = get(c, PLATFORM, "/api/v1/slos?at=" + clock.instant(), 200).path("data");
      JsonNode acme = find(rows, "acme");
      assertThat(acme.path("source").asText()).isEqualTo("rollups");
      assertThat(acme.path("total").asDouble()).isCloseTo(10_500, within(1e-6));
      assertThat(acme.path("good").asDouble()).isCloseTo(8_000, within(1e-6));
      assertThat(find(rows, "quiet").path("total").asDouble()).isCloseTo(36, within(1e-6));
    }
  }

  private static JsonNode find(JsonNode rows, String tenant) {
    for (JsonNode r : rows) {
      if (r.path("tenant").asText().equals(tenant)) {
        return r;
      }
    }
    throw new AssertionError("no row of " + tenant + " in " + rows);
  }
}
