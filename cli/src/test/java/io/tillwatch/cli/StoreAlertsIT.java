package io.tillwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.agent.config.OdooTargetConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.agent.odoo.OdooCollector;
import io.tillwatch.agent.push.OtlpEncoder;
import io.tillwatch.collector.Backend;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.CollectorConfigLoader;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.config.Interpolation;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.tillwatch.model.Tenant;
import io.tillwatch.sandbox.AlertmanagerServer;
import io.tillwatch.sandbox.FiftyStores;
import io.tillwatch.sandbox.OdooDatabase;
import io.tillwatch.sandbox.PosWorkload;
import io.tillwatch.testkit.Otlp;
import io.tillwatch.testkit.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store continuity from the tills to the pager: two tenants of 50 stores on an Odoo 16 and an Odoo
 * 17 database, read by the Odoo collector, stored and judged by a collector with the built-in rule
 * pack, delivered to a real Alertmanager running {@code alerting/alertmanager.example.yml}. Each
 * round is a real scrape; the rounds' samples are stamped a minute apart, so that the alerts'
 * {@code for: 5m} passes in seconds.
 */
class StoreAlertsIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

  private static final String TOKEN = "stores-token-0123456789";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private OdooCollector collector(EstateConfig estate, String tenant) {
    for (TenantConfig t : estate.tenants()) {
      if (t.tenant().id().equals(tenant)) {
        return new OdooCollector(
            (OdooTargetConfig) t.targets().getFirst(), Duration.ofSeconds(30), Runnable::run);
      }
    }
    throw new IllegalArgumentException(tenant);
  }

  private static List<Sample> scrape(OdooCollector c, String tenant) throws Exception {
    List<Sample> out = new ArrayList<>();
    for (Sample s :
        c.collect().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS)) {
      out.add(s.withLabels(Labels.of("tenant", tenant, "target", "shop")));
    }
    return out;
  }

  @Test
  @Timeout(300)
  void oneSilentStorePagesTenSilentStoresPageOnceAndAClosedStoreNever() throws Exception {
    PostgresServer pg = PG.server();
    pg.createMonitorRole("monitor", "m0nitor-secret");
    OdooDatabase.create(pg, "acme16", 16, "monitor");
    OdooDatabase.create(pg, "globex17", 17, "monitor");
    pg.execute("CREATE DATABASE tillwatch");
    // acme: one store stopped; globex: ten (a tenth of its open stores and more)
    Set<String> acmeStopped = Set.of(FiftyStores.SILENT, FiftyStores.CLOSED);
    Set<String> globexStopped = new HashSet<>(acmeStopped);
    for (int i = 21; i <= 29; i++) {
      globexStopped.add(FiftyStores.store(i));
    }
    String estateYaml =
        "tenants:\n"
            + FiftyStores.tenantYaml("acme", "acme-shop", pg.jdbcUrl("acme16"), "")
            + FiftyStores.tenantYaml("globex", "globex-shop", pg.jdbcUrl("globex17"), "");
    Interpolation env = new Interpolation(System::getenv, Files::readString);
    EstateConfig estate =
        new EstateConfigLoader(env).load(Files.writeString(dir.resolve("estate.yaml"), estateYaml));
    Map<String, Tenant> tenants = new HashMap<>();
    estate.tenants().forEach(t -> tenants.put(t.tenant().id(), t.tenant()));

    try (AlertmanagerServer am =
            AlertmanagerServer.start(
                Files.readString(Path.of("..", "alerting", "alertmanager.example.yml")));
        Connection acmeDb = pg.connect("acme16");
        Connection globexDb = pg.connect("globex17")) {
      CollectorConfig config =
          new CollectorConfigLoader(env)
              .load(
                  Files.writeString(
                      dir.resolve("collector.yaml"),
                      """
                      collector:
                        listen: 127.0.0.1:0
                        storage:
                          url: %s
                          user: %s
                          password: %s
                        tokens:
                          - token: %s
                            tenants: ["*"]
                        alerting:
                          alertmanagers: [%s]
                      """
                          .formatted(
                              pg.jdbcUrl("tillwatch"),
                              PostgresServer.SUPERUSER,
                              pg.superuserPassword(),
                              TOKEN,
                              am.url())));
      Instant now = Instant.now();
      PosWorkload acme = FiftyStores.create(acmeDb, now, acmeStopped);
      PosWorkload globex = FiftyStores.create(globexDb, now, globexStopped);
      OdooCollector acmeShop = collector(estate, "acme");
      OdooCollector globexShop = collector(estate, "globex");
      try (Backend c =
          Backend.start(
              config,
              config.storage().url().orElseThrow(),
              config.storage().user(),
              config.storage().password(),
              RunningBackend.ruleGroups(config, Files::readString, tenants),
              RunningBackend.sloCatalog(config, Files::readString),
              tenants,
              java.time.Clock.systemUTC())) {
        long base = System.currentTimeMillis() - 8 * 60_000L;
        for (int round = 0; round <= 8; round++) {
          if (round > 0) {
            FiftyStores.sell(acme, Instant.now(), acmeStopped);
            FiftyStores.sell(globex, Instant.now(), globexStopped);
          }
          long at = base + round * 60_000L;
          List<Sample> samples = new ArrayList<>(scrape(acmeShop, "acme"));
          samples.addAll(scrape(globexShop, "globex"));
          assertThat(
                  Otlp.post(
                          c.port(),
                          TOKEN,
                          OtlpEncoder.encode(List.of(new OtlpEncoder.Scrape(at, samples))))
                      .statusCode())
              .isEqualTo(200);
          c.settle(Duration.ofSeconds(30));
          for (RuleEngine.GroupState g : c.rules().groups()) {
            c.evaluate(g, at);
          }
        }
        acmeShop.close();
        globexShop.close();

        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  List<JsonNode> alerts = stores(am);
                  // acme: the stopped store pages, the late one too; nothing else
                  assertThat(names(alerts, "acme"))
                      .containsExactlyInAnyOrder(
                          "StoreSilent " + FiftyStores.SILENT + " active",
                          "StoreSyncDelayed " + FiftyStores.LATE + " active");
                  // globex: one page for the ten stores, theirs held back by it
                  List<String> g = names(alerts, "globex");
                  assertThat(g).contains("StoresSilentMany - active").hasSize(10 + 2);
                  for (String s : globexStopped) {
                    if (!s.equals(FiftyStores.CLOSED)) {
                      assertThat(g).contains("StoreSilent " + s + " suppressed");
                    }
                  }
                  assertThat(g).contains("StoreSyncDelayed " + FiftyStores.LATE + " active");
                });
        // and each tenant's store continuity SLO burns its error budget
        JsonNode all = JSON.readTree(am.alerts());
        for (String tenant : List.of("acme", "globex")) {
          assertThat(all)
              .anyMatch(
                  a ->
                      a.path("labels")
                              .path("alertname")
                              .asText()
                              .equals("StoreContinuitySLOBurnRate")
                          && a.path("labels").path("tenant").asText().equals(tenant));
        }
        // a closed store and a store that rarely sells never page
        assertThat(am.alerts())
            .doesNotContain(FiftyStores.CLOSED)
            .doesNotContain(FiftyStores.QUIET);
      }
    }
  }

  /** The store alerts Alertmanager holds. */
  private static List<JsonNode> stores(AlertmanagerServer am) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode a : JSON.readTree(am.alerts())) {
      if (Set.of("StoreSilent", "StoreSyncDelayed", "StoresSilentMany")
          .contains(a.path("labels").path("alertname").asText())) {
        out.add(a);
      }
    }
    return out;
  }

  /** "alertname store state" of a tenant's store alerts ({@code -} for a tenant-wide one). */
  private static List<String> names(List<JsonNode> alerts, String tenant) {
    List<String> out = new ArrayList<>();
    for (JsonNode a : alerts) {
      JsonNode labels = a.path("labels");
      if (labels.path("tenant").asText().equals(tenant)) {
        out.add(
            labels.path("alertname").asText()
                + " "
                + (labels.has("store") ? labels.path("store").asText() : "-")
                + " "
                + a.path("status").path("state").asText());
      }
    }
    return out;
  }
}
