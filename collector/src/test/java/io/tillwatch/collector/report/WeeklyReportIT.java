package io.tillwatch.collector.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.tillwatch.alerting.report.ReportBrand;
import io.tillwatch.alerting.report.SmtpConfig;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.AlertingConfig;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.ReportsConfig;
import io.tillwatch.collector.config.StorageConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import io.tillwatch.rules.RuleFileLoader;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The weekly report end to end on a real PostgreSQL and a real SMTP server (GreenMail, SMTPS with
 * authentication): what arrives, that its figures are the status and history APIs', and that it
 * arrives exactly once with two collectors and after a collector dies between claim and send.
 */
class WeeklyReportIT {
  private static final String SMTP_SECRET = "smtp-secret-0123";

  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  @RegisterExtension
  static final GreenMailExtension MAIL =
      new GreenMailExtension(ServerSetupTest.SMTPS.dynamicPort())
          .withConfiguration(GreenMailConfiguration.aConfig().withUser("tillwatch", SMTP_SECRET))
          .withPerMethodLifecycle(true);

  private static final String TOKEN = "platform-token-0123456789";

  @TempDir Path dir;

  private static final Tenant ACME =
      new Tenant(
          "acme",
          "Acme Retail",
          Tier.DEDICATED,
          ZoneId.of("Europe/Berlin"),
          BusinessHours.always());

  /** Monday 30 November 2026, 08:00:30 in Berlin: the report of 2026-W48 is due. */
  private static final Instant DUE = Instant.parse("2026-11-30T07:00:30Z");

  /** The end of 2026-W48 in Berlin. */
  private static final Instant WEEK_END = Instant.parse("2026-11-29T23:00:00Z");

  private static final String SLOS =
      """
      slos:
        - name: shop-availability
          description: Shoppers and cashiers get answers from the shop
          objective: 99.5
          window: month
          risk: checkout_experience
          impact: Shoppers cannot check out.
          sli:
            events:
              good: sum by (tenant) (rate(traefik_service_requests_total{code!~"5.."}[{{.window}}]))
              total: sum by (tenant) (rate(traefik_service_requests_total[{{.window}}]))
      """;

  private static final String RULES =
      """
      groups:
        - name: shop
          rules:
            - alert: ShopErrors
              expr: sum by (tenant) (rate(traefik_service_requests_total{code="502"}[5m])) > 0
              labels: {severity: page}
              risk: checkout_experience
              impact: "Shoppers see errors at checkout."
      """;

  private ReportsConfig.Weekly weekly(
      int port, String password, Map<String, List<String>> recipients) {
    return new ReportsConfig.Weekly(
        DayOfWeek.MONDAY,
        LocalTime.of(8, 0),
        new SmtpConfig(
            "127.0.0.1",
            port,
            SmtpConfig.StartTls.REQUIRED,
            true,
            Optional.of("tillwatch"),
            Secret.of(password),
            Optional.empty(),
            true, // GreenMail's certificate is self-signed for no host name
            SmtpConfig.address("tillwatch <slo@hoster.example>"),
            Duration.ofSeconds(3)),
        recipients,
        new ReportBrand("Hoster Cloud", Optional.empty()),
        ZoneId.of("Europe/Berlin"));
  }

  private CollectorConfig config(String db, ReportsConfig.Weekly w) throws Exception {
    Path slos = dir.resolve("slos.yml");
    Files.writeString(slos, SLOS);
    return new CollectorConfig(
            new HostPort("127.0.0.1", 0),
            new StorageConfig(
                Optional.of(PG.server().jdbcUrl(db)),
                io.tillwatch.localpg.PostgresServer.SUPERUSER,
                Secret.of(PG.server().superuserPassword()),
                Duration.ofDays(90),
                Path.of("unused")),
            Duration.ofHours(3),
            List.of(new TokenGrant(Secret.of(TOKEN), Set.of("*"))),
            1_000_000,
            List.of(),
            false,
            Duration.ofMinutes(1),
            AlertingConfig.NONE,
            QueryConfig.DEFAULT,
            List.of(slos),
            false)
        .withReports(new ReportsConfig(Optional.of(w)));
  }

  private static Backend start(CollectorConfig c, Map<String, Tenant> tenants, Clock clock)
      throws Exception {
    List<RuleGroup> groups =
        new ArrayList<>(RunningBackend.ruleGroups(c, Files::readString, tenants));
    groups.addAll(RuleFileLoader.ofText().load(Path.of("shop.yml"), RULES));
    return Backend.start(
        c,
        c.storage().url().orElseThrow(),
        c.storage().user(),
        c.storage().password(),
        groups,
        RunningBackend.sloCatalog(c, Files::readString),
        tenants,
        clock);
  }

  private static JsonNode get(Backend c, String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        Otlp.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + pathAndQuery))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new ObjectMapper().readTree(r.body());
  }

  private static void countUp(Backend c) {
    for (int i = 0; i < 40 && c.slos().update() > 0; i++) {
      assertThat(c.slos().check().ok()).as(c.slos().check().reason()).isTrue();
    }
  }

  @Test
  @Timeout(300)
  void theReportArrivesWithEveryPartAndTheFiguresOfTheStatusAndHistoryApis() throws Exception {
    PG.createDatabase("report_content");
    ReportsConfig.Weekly w =
        weekly(
            MAIL.getSmtps().getPort(),
            SMTP_SECRET,
            Map.of(
                "acme", List.of("cfo@acme.example", "ops@acme.example"),
                "estate", List.of("leadership@hoster.example")));
    try (Backend c =
        start(
            config("report_content", w), Map.of("acme", ACME), Clock.fixed(DUE, ZoneOffset.UTC))) {
      // two weeks of shop traffic up to the week's end: 20 a minute fail for two hours on Tuesday
      // of the week, 10 a minute for an hour the week before
      long end = WEEK_END.toEpochMilli();
      int minutes = 14 * 1440;
      Instant tuesday = Instant.parse("2026-11-24T10:00:00Z");
      Instant weekBefore = Instant.parse("2026-11-17T10:00:00Z");
      Otlp.postShopTraffic(
          c.port(),
          TOKEN,
          "acme",
          end,
          minutes,
          100,
          k -> {
            Instant t = Instant.ofEpochMilli(end - (long) (minutes - k + 1) * 60_000L);
            if (!t.isBefore(tuesday) && t.isBefore(tuesday.plusSeconds(7200))) {
              return 20;
            }
            return !t.isBefore(weekBefore) && t.isBefore(weekBefore.plusSeconds(3600)) ? 10 : 0;
          });
      await().atMost(Duration.ofSeconds(60)).until(() -> c.queuedSamples() == 0);
      // the alert rule evaluated a minute apart around Tuesday's failures: ALERTS as stored
      var shop =
          c.rules().groups().stream()
              .filter(g -> g.group().name().equals("shop"))
              .findFirst()
              .orElseThrow();
      for (Instant t = tuesday.minusSeconds(600);
          t.isBefore(tuesday.plusSeconds(9000));
          t = t.plusSeconds(60)) {
        c.evaluate(shop, t.toEpochMilli());
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> c.queuedSamples() == 0);
      JsonNode firing =
          get(
                  c,
                  "/api/v1/query_range?query=ALERTS%7Balertstate%3D%22firing%22%7D&start="
                      + tuesday.minusSeconds(600).getEpochSecond()
                      + "&end="
                      + tuesday.plusSeconds(9000).getEpochSecond()
                      + "&step=60")
              .path("data")
              .path("result");
      assertThat(firing).hasSize(1);
      JsonNode values = firing.get(0).path("values");
      Instant firstFiring = Instant.ofEpochSecond(values.get(0).get(0).asLong());
      Instant lastFiring = Instant.ofEpochSecond(values.get(values.size() - 1).get(0).asLong());
      assertThat(values.size())
          .as("firing minutes")
          .isEqualTo(Duration.between(firstFiring, lastFiring).toMinutes() + 1);
      countUp(c);

      assertThat(c.reports().orElseThrow().runOnce()).isEqualTo(2);
      assertThat(c.reports().orElseThrow().runOnce()).as("sent once").isZero();

      MimeMessage[] got = MAIL.getReceivedMessages();
      assertThat(got).hasSize(3);
      MimeMessage toCfo = null;
      for (MimeMessage m : got) {
        if (m.getAllRecipients()[0].toString().equals("cfo@acme.example")) {
          toCfo = m;
        }
      }
      assertThat(toCfo).isNotNull();
      assertThat(toCfo.getSubject()).startsWith("Acme Retail: service levels, week 2026-W48 — ");
      assertThat(toCfo.getMessageID()).isEqualTo("<tillwatch.report.acme.2026-W48@hoster.example>");
      MailParts parts = MailParts.of(toCfo);
      assertThat(parts.structure())
          .containsExactly(
              "multipart/mixed",
              "  multipart/alternative",
              "    text/plain",
              "    multipart/related",
              "      text/html",
              "      image/png",
              "      image/png",
              "  application/pdf",
              "  text/csv",
              "  text/csv");
      String html = parts.one("text/html").text();
      List<String> cids = new ArrayList<>();
      Matcher m = Pattern.compile("src=\"cid:([^\"]+)\"").matcher(html);
      while (m.find()) {
        cids.add("<" + m.group(1) + ">");
      }
      assertThat(cids)
          .containsExactlyInAnyOrderElementsOf(
              parts.all("image/png").stream().map(MailParts.Leaf::contentId).toList());
      for (MailParts.Leaf png : parts.all("image/png")) {
        assertThat(javax.imageio.ImageIO.read(new ByteArrayInputStream(png.bytes()))).isNotNull();
      }

      // the figures: the history API's week and the status API at the week's end
      JsonNode point =
          get(
                  c,
                  "/api/v1/slos/acme/shop-availability/history?from=2026-11-23&to=2026-11-29&step=7d")
              .path("data")
              .path("points")
              .get(0);
      double weekAttained = point.path("good").asDouble() / point.path("total").asDouble();
      assertThat(point.path("total").asDouble()).isCloseTo(7 * 1440 * 100, within(1.0));
      assertThat(weekAttained).isCloseTo(1 - 2400.0 / (7 * 1440 * 100), within(1e-6));
      JsonNode status = null;
      for (JsonNode r : get(c, "/api/v1/slos?at=" + WEEK_END.minusMillis(1)).path("data")) {
        if (r.path("tenant").asText().equals("acme")) {
          status = r;
        }
      }
      assertThat(status).isNotNull();
      assertThat(status.path("source").asText()).isEqualTo("rollups");
      String[] row =
          parts.all("text/csv").stream()
              .filter(l -> l.fileName().endsWith("-slos.csv"))
              .findFirst()
              .orElseThrow()
              .text()
              .split("\r\n")[1]
              .split(",");
      // tenant,slo,window,objective,attained_week,attained_window,budget_remaining,before,peak,tte,state
      assertThat(row[0]).isEqualTo("acme");
      assertThat(row[1]).isEqualTo("shop-availability");
      assertThat(Double.parseDouble(row[4])).isCloseTo(weekAttained, within(1e-6));
      assertThat(Double.parseDouble(row[5]))
          .isCloseTo(status.path("attained").asDouble(), within(1e-6));
      assertThat(Double.parseDouble(row[6]))
          .isCloseTo(status.path("budget_remaining").asDouble(), within(1e-6));
      assertThat(row[10]).isEqualTo(status.path("state").asText());
      // the week before spent a sixth of what this week spent: the budget fell
      assertThat(Double.parseDouble(row[6])).isLessThan(Double.parseDouble(row[7]));

      String incidents =
          parts.all("text/csv").stream()
              .filter(l -> l.fileName().endsWith("-incidents.csv"))
              .findFirst()
              .orElseThrow()
              .text();
      assertThat(incidents)
          .contains(
              "acme,ShopErrors,page,checkout_experience,"
                  + firstFiring
                  + ","
                  + lastFiring.plusSeconds(60)
                  + ","
                  + (Duration.between(firstFiring, lastFiring).toSeconds() + 60)
                  + ",Shoppers see errors at checkout.");

      String attainedText = String.format(java.util.Locale.ROOT, "%.2f%%", weekAttained * 100);
      try (PDDocument pdf = Loader.loadPDF(parts.one("application/pdf").bytes())) {
        String text = new PDFTextStripper().getText(pdf).replace("-\n", "-");
        assertThat(text)
            .contains("shop-availability")
            .contains(attainedText)
            .contains("ShopErrors")
            .contains("Hoster Cloud");
      }
      assertThat(parts.one("text/plain").text())
          .contains("shop-availability")
          .contains("this week " + attainedText);

      // the estate's summary went to leadership, with the heat-table
      MimeMessage estate =
          java.util.Arrays.stream(got)
              .filter(
                  x -> {
                    try {
                      return x.getAllRecipients()[0].toString().equals("leadership@hoster.example");
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .findFirst()
              .orElseThrow();
      assertThat(estate.getSubject()).startsWith("The estate: service levels, week 2026-W48");
      assertThat(MailParts.of(estate).one("text/html").text())
          .contains("Budget left per tenant and promise");

      String metrics = scrape(c);
      assertThat(metrics).contains("tillwatch_report_sent_total{tenant=\"acme\"} 1.0");
      assertThat(metrics).contains("tillwatch_report_unsent_seconds{tenant=\"acme\"} 0.0");
    }
  }

  private static String scrape(Backend c) throws Exception {
    return Otlp.HTTP
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.port() + "/metrics"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** A gauge of acme's store {@code store}, a sample a minute over the week, by {@code value}. */
  private static void postStoreWeek(
      Backend c,
      String name,
      String store,
      java.util.function.IntFunction<Double> value,
      String... labels)
      throws Exception {
    long start = WEEK_END.toEpochMilli() - 7 * 86_400_000L;
    io.opentelemetry.proto.metrics.v1.Gauge.Builder g =
        io.opentelemetry.proto.metrics.v1.Gauge.newBuilder();
    for (int m = 0; m < 7 * 1440; m++) {
      Double v = value.apply(m);
      if (v == null) {
        continue;
      }
      io.opentelemetry.proto.metrics.v1.NumberDataPoint.Builder p =
          io.opentelemetry.proto.metrics.v1.NumberDataPoint.newBuilder()
              .addAttributes(Otlp.attr("store", store))
              .addAttributes(Otlp.attr("target", "shop"))
              .setTimeUnixNano((start + m * 60_000L + 30_000L) * 1_000_000L)
              .setAsDouble(v);
      for (int i = 0; i < labels.length; i += 2) {
        p.addAttributes(Otlp.attr(labels[i], labels[i + 1]));
      }
      g.addDataPoints(p);
    }
    assertThat(
            Otlp.post(
                    c.port(),
                    TOKEN,
                    Otlp.request(
                        "acme",
                        io.opentelemetry.proto.metrics.v1.Metric.newBuilder()
                            .setName(name)
                            .setGauge(g)))
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  @Timeout(300)
  void theWorstStoresOfTheWeekAreListedWithTheirFigures() throws Exception {
    PG.createDatabase("report_stores");
    ReportsConfig.Weekly w =
        weekly(MAIL.getSmtps().getPort(), SMTP_SECRET, Map.of("acme", List.of("cfo@acme.example")));
    try (Backend c =
        start(config("report_stores", w), Map.of("acme", ACME), Clock.fixed(DUE, ZoneOffset.UTC))) {
      // open 08:00-20:00 UTC each day; Lyon silent 90 minutes on Tuesday, Nice late 30 minutes,
      // Paris always good
      java.util.function.IntPredicate open = m -> m % 1440 >= 480 && m % 1440 < 1200;
      int tuesday = 1440 + 600;
      postStoreWeek(
          c,
          "tenant_store:odoo_pos_good",
          "Lyon",
          m -> open.test(m) ? (m >= tuesday && m < tuesday + 90 ? 0.0 : 1.0) : null);
      postStoreWeek(
          c,
          "tenant_store:odoo_pos_silent_age_seconds",
          "Lyon",
          m -> m >= tuesday && m < tuesday + 90 ? 1800.0 + (m - tuesday) * 60 : null);
      postStoreWeek(
          c,
          "tenant_store:odoo_pos_good",
          "Nice",
          m -> open.test(m) ? (m >= tuesday && m < tuesday + 30 ? 0.0 : 1.0) : null);
      postStoreWeek(
          c,
          "tillwatch_odoo_pos_sync_delay_seconds",
          "Nice",
          m -> open.test(m) ? (m >= tuesday && m < tuesday + 30 ? 1500.0 : 3.0) : null,
          "quantile",
          "0.5");
      postStoreWeek(c, "tenant_store:odoo_pos_good", "Paris", m -> open.test(m) ? 1.0 : null);
      await().atMost(Duration.ofSeconds(60)).until(() -> c.queuedSamples() == 0);

      io.tillwatch.alerting.report.WeeklyReport r =
          c.reportFacts().tenant("acme", io.tillwatch.alerting.report.IsoWeek.parse("2026-W48"));
      List<io.tillwatch.alerting.report.WeeklyReport.StoreWeek> worst =
          r.signals().orElseThrow().worstStores();
      assertThat(worst)
          .extracting(io.tillwatch.alerting.report.WeeklyReport.StoreWeek::store)
          .containsExactly("Lyon", "Nice");
      assertThat(worst.get(0).openMinutes()).isEqualTo(7 * 720);
      assertThat(worst.get(0).badMinutes()).isEqualTo(90);
      assertThat(worst.get(0).longestSilence()).contains(Duration.ofSeconds(1800 + 89 * 60));
      assertThat(worst.get(1).badMinutes()).isEqualTo(30);
      assertThat(worst.get(1).worstSyncDelay()).contains(Duration.ofSeconds(1500));
      assertThat(worst.get(1).longestSilence()).isEmpty();
      String text =
          new io.tillwatch.alerting.report.ReportRenderer(
                  new ReportBrand("Hoster Cloud", Optional.empty()),
                  io.tillwatch.alerting.report.ReportFonts.system())
              .render(r)
              .text();
      assertThat(text)
          .contains("- Lyon: 1 h 30 min (98.2% of its open time good); longest silence 1 h 59 min;")
          .contains("- Nice: 30 min (99.4% of its open time good);")
          .contains("worst sync delay 25 min")
          .doesNotContain("Paris");
    }
  }

  @Test
  @Timeout(120)
  void twoCollectorsDueAtTheSameMinuteSendOneEmailPerReport() throws Exception {
    PG.createDatabase("report_twice");
    ReportsConfig.Weekly w =
        weekly(
            MAIL.getSmtps().getPort(),
            SMTP_SECRET,
            Map.of(
                "acme",
                List.of("ops@acme.example"),
                "estate",
                List.of("leadership@hoster.example")));
    CollectorConfig cfg = config("report_twice", w);
    Clock clock = Clock.fixed(DUE, ZoneOffset.UTC);
    try (Backend a = start(cfg, Map.of("acme", ACME), clock);
        Backend b = start(cfg, Map.of("acme", ACME), clock)) {
      CountDownLatch go = new CountDownLatch(1);
      CompletableFuture<Integer> fa =
          CompletableFuture.supplyAsync(
              () -> awaitThen(go, () -> a.reports().orElseThrow().runOnce()));
      CompletableFuture<Integer> fb =
          CompletableFuture.supplyAsync(
              () -> awaitThen(go, () -> b.reports().orElseThrow().runOnce()));
      go.countDown();
      assertThat(fa.get() + fb.get()).isEqualTo(2);
      assertThat(a.reports().orElseThrow().runOnce() + b.reports().orElseThrow().runOnce())
          .isZero();
      assertThat(MAIL.getReceivedMessages()).hasSize(2);
      List<String> subjects = new ArrayList<>();
      for (MimeMessage m : MAIL.getReceivedMessages()) {
        subjects.add(m.getSubject().substring(0, m.getSubject().indexOf(" — ")));
      }
      assertThat(subjects)
          .containsExactlyInAnyOrder(
              "Acme Retail: service levels, week 2026-W48",
              "The estate: service levels, week 2026-W48");
    }
  }

  private static int awaitThen(CountDownLatch go, java.util.function.IntSupplier run) {
    try {
      go.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return run.getAsInt();
  }

  @Test
  @Timeout(120)
  void aCollectorThatDiesBetweenClaimAndSendIsTakenOverAndTheReportArrivesOnce() throws Exception {
    PG.createDatabase("report_crash");
    Map<String, List<String>> to = Map.of("acme", List.of("ops@acme.example"));
    Clock clock = Clock.fixed(DUE, ZoneOffset.UTC);
    // an SMTP server that accepts the connection and never answers: the collector hangs mid-send
    try (ServerSocket blackHole =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      List<Socket> held = new CopyOnWriteArrayList<>();
      Thread acceptor =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      while (true) {
                        held.add(blackHole.accept());
                      }
                    } catch (java.io.IOException e) {
                      // closed
                    }
                  });
      Backend dying =
          start(
              config("report_crash", weekly(blackHole.getLocalPort(), SMTP_SECRET, to)),
              Map.of("acme", ACME),
              clock);
      CompletableFuture<Integer> hung =
          CompletableFuture.supplyAsync(() -> dying.reports().orElseThrow().runOnce());
      await().atMost(Duration.ofSeconds(30)).until(() -> !held.isEmpty());
      // the collector dies: its database session (and the row lock of its claim) goes with it
      String url = PG.server().jdbcUrl("report_crash");
      Properties p = new Properties();
      p.setProperty("user", io.tillwatch.localpg.PostgresServer.SUPERUSER);
      p.setProperty("password", PG.server().superuserPassword());
      try (Connection c = DriverManager.getConnection(url, p);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                      + " WHERE datname = current_database() AND query LIKE '%FOR UPDATE SKIP LOCKED%'"
                      + " AND pid <> pg_backend_pid()")) {
        rs.next();
        assertThat(rs.getInt(1)).as("the claim's session").isEqualTo(1);
      }
      dying.close();
      assertThat(hung.get()).isZero();
      assertThat(MAIL.getReceivedMessages()).isEmpty();

      try (Backend next =
          start(
              config("report_crash", weekly(MAIL.getSmtps().getPort(), SMTP_SECRET, to)),
              Map.of("acme", ACME),
              clock)) {
        assertThat(next.reports().orElseThrow().runOnce()).isEqualTo(1);
        assertThat(next.reports().orElseThrow().runOnce()).isZero();
      }
      assertThat(MAIL.getReceivedMessages()).hasSize(1);
      assertThat(MAIL.getReceivedMessages()[0].getSubject()).contains("week 2026-W48");
      blackHole.close();
      acceptor.join(5000);
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  @Timeout(120)
  void aRefusedLoginIsCountedRetriedWithBackoffAndRaisesTheUnsentAgeUntilItIsSent()
      throws Exception {
    PG.createDatabase("report_auth");
    Map<String, List<String>> to = Map.of("acme", List.of("ops@acme.example"));
    MutableClock clock = new MutableClock(DUE);
    try (Backend c =
        start(
            config("report_auth", weekly(MAIL.getSmtps().getPort(), "wrong", to)),
            Map.of("acme", ACME),
            clock)) {
      assertThat(c.reports().orElseThrow().runOnce()).isZero();
      assertThat(scrape(c))
          .contains("tillwatch_report_failures_total{reason=\"auth\",tenant=\"acme\"} 1.0");
      // the next attempt waits a minute, then two
      assertThat(c.reports().orElseThrow().runOnce()).isZero();
      assertThat(scrape(c))
          .contains("tillwatch_report_failures_total{reason=\"auth\",tenant=\"acme\"} 1.0");
      clock.set(DUE.plusSeconds(61));
      c.reports().orElseThrow().runOnce();
      assertThat(scrape(c))
          .contains("tillwatch_report_failures_total{reason=\"auth\",tenant=\"acme\"} 2.0");
      clock.set(DUE.plus(Duration.ofHours(25)));
      c.reports().orElseThrow().runOnce();
      assertThat(c.reports().orElseThrow().check().ok()).isTrue();
      assertThat(scrape(c)).contains("tillwatch_report_unsent_seconds{tenant=\"acme\"} 90030.0");
      assertThat(MAIL.getReceivedMessages()).isEmpty();
    }
    // the password fixed: sent, the age back to 0
    try (Backend c =
        start(
            config("report_auth", weekly(MAIL.getSmtps().getPort(), SMTP_SECRET, to)),
            Map.of("acme", ACME),
            clock)) {
      clock.set(DUE.plus(Duration.ofHours(26)));
      assertThat(c.reports().orElseThrow().runOnce()).isEqualTo(1);
      assertThat(scrape(c)).contains("tillwatch_report_unsent_seconds{tenant=\"acme\"} 0.0");
    }
    assertThat(MAIL.getReceivedMessages()).hasSize(1);
  }

  @Test
  @Timeout(180)
  void tenantsInBerlinNewYorkAndAucklandGetTheirReportAtTheirOwnMondayEight() throws Exception {
    PG.createDatabase("report_zones");
    Map<String, Tenant> tenants = new LinkedHashMap<>();
    for (String[] t :
        new String[][] {
          {"berlin", "Europe/Berlin"},
          {"newyork", "America/New_York"},
          {"auckland", "Pacific/Auckland"}
        }) {
      tenants.put(
          t[0], new Tenant(t[0], t[0], Tier.SHARED, ZoneId.of(t[1]), BusinessHours.always()));
    }
    Map<String, List<String>> to = new LinkedHashMap<>();
    tenants.keySet().forEach(id -> to.put(id, List.of("ops@" + id + ".example")));
    MutableClock clock = new MutableClock(Instant.parse("2026-09-27T18:58:00Z"));
    // each tenant's week with a daylight-saving change, and the instant its Monday 08:00 begins
    Object[][] checkpoints = {
      {"auckland", "2026-W39", Instant.parse("2026-09-27T19:00:00Z")},
      {"berlin", "2026-W43", Instant.parse("2026-10-26T07:00:00Z")},
      {"newyork", "2026-W44", Instant.parse("2026-11-02T13:00:00Z")},
    };
    try (Backend c =
        start(
            config("report_zones", weekly(MAIL.getSmtps().getPort(), SMTP_SECRET, to)),
            tenants,
            clock)) {
      for (Object[] cp : checkpoints) {
        String subject = cp[0] + ": service levels, week " + cp[1];
        Instant due = (Instant) cp[2];
        clock.set(due.minusSeconds(60));
        c.reports().orElseThrow().runOnce();
        assertThat(subjects()).as("before " + due).noneMatch(s -> s.startsWith(subject));
        clock.set(due.plusSeconds(30));
        c.reports().orElseThrow().runOnce();
        assertThat(subjects()).as("at " + due).anyMatch(s -> s.startsWith(subject));
        MimeMessage sent =
            java.util.Arrays.stream(MAIL.getReceivedMessages())
                .filter(m -> subjectOf(m).startsWith(subject))
                .findFirst()
                .orElseThrow();
        assertThat(sent.getSentDate().toInstant()).isEqualTo(due.plusSeconds(30));
      }
      // each DST week's report exactly once
      for (Object[] cp : checkpoints) {
        String subject = cp[0] + ": service levels, week " + cp[1];
        assertThat(subjects().stream().filter(s -> s.startsWith(subject))).hasSize(1);
      }
    }
  }

  private static List<String> subjects() {
    return java.util.Arrays.stream(MAIL.getReceivedMessages())
        .map(WeeklyReportIT::subjectOf)
        .toList();
  }

  private static String subjectOf(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A clock the test moves. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
