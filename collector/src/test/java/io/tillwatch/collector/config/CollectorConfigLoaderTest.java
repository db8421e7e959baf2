package io.tillwatch.collector.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.config.ConfigException;
import io.tillwatch.config.Interpolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorConfigLoaderTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path f = dir.resolve("collector.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private CollectorConfig load(String yaml, Map<String, String> env) throws IOException {
    return new CollectorConfigLoader(new Interpolation(env::get, java.nio.file.Files::readString))
        .load(write(yaml));
  }

  private ConfigException error(String yaml) throws IOException {
    Path f = write(yaml);
    try {
      new CollectorConfigLoader(
              new Interpolation(Map.<String, String>of()::get, java.nio.file.Files::readString))
          .load(f);
    } catch (ConfigException e) {
      assertThat(e.file()).isEqualTo(f);
      return e;
    }
    throw new AssertionError("no error for:\n" + yaml);
  }

  @Test
  void queryLimitsDefaultToPrometheusAndAreCheckedWithTheirPosition() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    assertThat(load("collector:\n" + tokens, Map.of()).query()).isEqualTo(QueryConfig.DEFAULT);
    QueryConfig q =
        load(
                "collector:\n"
                    + tokens
                    + "  query: {timeout: 30s, max_samples: 1000, max_concurrency: 4}\n",
                Map.of())
            .query();
    assertThat(q).isEqualTo(new QueryConfig(Duration.ofSeconds(30), 1000, 4));
    ConfigException unknown = error("collector:\n" + tokens + "  query:\n    max_queries: 3\n");
    assertThat(unknown.line()).isEqualTo(6);
    assertThat(unknown.field()).isEqualTo("collector.query.max_queries");
    ConfigException zero = error("collector:\n" + tokens + "  query:\n    max_concurrency: 0\n");
    TokenGrant own =
        load(
                "collector:\n  tokens:\n    - token: t-0123456789abcdef\n      tenants: [acme]\n"
                    + "      query: {timeout: 10s}\n",
                Map.of())
            .tokens()
            .get(0);
    assertThat(own.queryLimits())
        .contains(
            new io.tillwatch.promql.QueryLimits(
                QueryConfig.DEFAULT.maxSamples(), Duration.ofSeconds(10)));
    assertThat(zero.problem()).isEqualTo("max_concurrency must be at least 1");
    QueryConfig parallel =
        load("collector:\n" + tokens + "  query: {max_concurrency: 8, max_parallel: 3}\n", Map.of())
            .query();
    assertThat(parallel.maxConcurrency()).isEqualTo(8);
    assertThat(parallel.maxParallel()).isEqualTo(3);
    assertThat(q.maxParallel()).isEqualTo(Math.min(4, QueryConfig.DEFAULT_MAX_PARALLEL));
    ConfigException none = error("collector:\n" + tokens + "  query:\n    max_parallel: 0\n");
    assertThat(none.problem()).isEqualTo("max_parallel must be at least 1");
  }

  @Test
  void theDocumentedFileLoads() throws IOException {
    Path secret = dir.resolve("acme-viewer");
    Files.writeString(secret, "acme-s3cret-0123456789\r\n");
    CollectorConfig c =
        load(
            """
            collector:
              listen: 127.0.0.1:4318
              storage:
                url: jdbc:postgresql://db:5432/tillwatch
                user: tillwatch
                password: ${TILLWATCH_DB_PASSWORD}
                retention: 90d
                layout: plain
              head: 3h
              tokens:
                - token: ${AGENT_EU_TOKEN}
                  tenants: ["*"]
                - token: file:%s
                  tenants: [acme]
            """
                .formatted(secret),
            Map.of("TILLWATCH_DB_PASSWORD", "db-pw", "AGENT_EU_TOKEN", "eu-token-0123456789"));
    assertThat(c.listen().port()).isEqualTo(4318);
    assertThat(c.storage().url()).hasValue("jdbc:postgresql://db:5432/tillwatch");
    assertThat(c.storage().password().reveal()).isEqualTo("db-pw");
    assertThat(c.storage().retention()).isEqualTo(Duration.ofDays(90));
    assertThat(c.storage().layout()).isEqualTo(StorageConfig.Layout.PLAIN);
    assertThat(c.head()).isEqualTo(Duration.ofHours(3));
    assertThat(c.tokens()).hasSize(2);
    TokenGrant platform = c.tokens().get(0);
    TokenGrant acme = c.tokens().get(1);
    assertThat(platform.token().reveal()).isEqualTo("eu-token-0123456789");
    assertThat(platform.allows("globex")).isTrue();
    assertThat(acme.token().reveal()).isEqualTo("acme-s3cret-0123456789"); // without the CR LF
    assertThat(acme.allows("acme")).isTrue();
    assertThat(acme.allows("globex")).isFalse();
    assertThat(c.toString()).doesNotContain("eu-token", "acme-s3cret", "db-pw");
  }

  @Test
  void tokensAreLongAndEachOnceAndNeverShownInAnError() throws IOException {
    ConfigException shortOne =
        error("collector:\n  tokens:\n    - token: s3cret\n      tenants: [acme]\n");
    assertThat(shortOne.line()).isEqualTo(3);
    assertThat(shortOne.problem()).contains("at least 16 characters").doesNotContain("s3cret");
    ConfigException twice =
        error(
            "collector:\n  tokens:\n"
                + "    - token: same-token-0123456789\n      tenants: [acme]\n"
                + "    - token: same-token-0123456789\n      tenants: [\"*\"]\n");
    assertThat(twice.line()).isEqualTo(5);
    assertThat(twice.problem()).contains("tokens[0]").doesNotContain("same-token");
  }

  @Test
  void remoteWriteEndpointsLoadWithTheirQueuesAndWrongOnesSayWhere() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    CollectorConfig c =
        load(
            "collector:\n"
                + tokens
                + "  remote_write:\n"
                + "    - url: http://mimir:9009/api/v1/push\n"
                + "      tenant_header: X-Scope-OrgID\n"
                + "      headers: {Authorization: 'Bearer ${MIMIR_TOKEN}'}\n"
                + "    - url: http://vminsert:8480/insert/{account}/prometheus/api/v1/write\n"
                + "      name: vm\n"
                + "      tenant_accounts: {acme: '1', globex: '2'}\n"
                + "      queue: {shards: 4, max_samples_per_send: 500, capacity: 64MB}\n",
            Map.of("MIMIR_TOKEN", "m-s3cret"));
    assertThat(c.remoteWrite()).hasSize(2);
    RemoteWriteConfig mimir = c.remoteWrite().get(0);
    assertThat(mimir.name()).isEqualTo("mimir:9009");
    assertThat(mimir.tenantHeader()).hasValue("X-Scope-OrgID");
    assertThat(mimir.headers()).containsEntry("Authorization", "Bearer m-s3cret");
    assertThat(mimir.shards()).isEqualTo(RemoteWriteConfig.DEFAULT_SHARDS);
    assertThat(mimir.dir()).isEqualTo(dir.resolve("data/remote-write/mimir_9009"));
    RemoteWriteConfig vm = c.remoteWrite().get(1);
    assertThat(vm.url().toString()).contains(RemoteWriteConfig.ACCOUNT_PLACEHOLDER);
    assertThat(vm.tenantAccounts()).containsEntry("globex", "2");
    assertThat(vm.shards()).isEqualTo(4);
    assertThat(vm.maxSamplesPerSend()).isEqualTo(500);
    assertThat(vm.capacityBytes()).isEqualTo(64_000_000L);

    ConfigException noAccounts =
        error(
            "collector:\n"
                + tokens
                + "  remote_write:\n"
                + "    - url: http://vminsert:8480/insert/{account}/prometheus/api/v1/write\n");
    assertThat(noAccounts.line()).isEqualTo(6);
    assertThat(noAccounts.getMessage()).contains("tenant_accounts");
    ConfigException badKey =
        error(
            "collector:\n"
                + tokens
                + "  remote_write:\n"
                + "    - url: http://mimir/api/v1/push\n"
                + "      queue: {shard: 4}\n");
    assertThat(badKey.line()).isEqualTo(7);
    assertThat(badKey.getMessage()).contains("shard");
    ConfigException twice =
        error(
            "collector:\n"
                + tokens
                + "  remote_write:\n"
                + "    - url: http://mimir/api/v1/push\n"
                + "    - url: http://mimir/api/v1/push\n");
    assertThat(twice.line()).isEqualTo(7);
    assertThat(twice.getMessage()).contains("name");
  }

  @Test
  void remoteStorageHasAQueryAndAWriteUrlAndNamesItsMistakes() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    CollectorConfig c =
        load(
            "collector:\n"
                + tokens
                + "  storage:\n"
                + "    type: remote\n"
                + "    query_url: http://mimir:8080/prometheus\n"
                + "    write_url: http://mimir:8080/api/v1/push\n"
                + "    tenant_header: X-Scope-OrgID\n"
                + "    headers: {Authorization: 'Bearer ${MIMIR_TOKEN}'}\n",
            Map.of("MIMIR_TOKEN", "m-s3cret"));
    RemoteStorageConfig r = c.storage().remote().orElseThrow();
    assertThat(r.queryUrl().toString()).isEqualTo("http://mimir:8080/prometheus");
    assertThat(r.write().url().toString()).isEqualTo("http://mimir:8080/api/v1/push");
    assertThat(r.write().name()).isEqualTo(RemoteStorageConfig.WRITE_NAME);
    assertThat(r.write().headers()).containsEntry("Authorization", "Bearer m-s3cret");
    assertThat(r.write().dir()).isEqualTo(dir.resolve("data/remote-write/storage"));
    assertThat(r.perTenant()).isTrue();
    assertThat(c.storage().url()).isEmpty(); // state in the embedded PostgreSQL
    assertThat(load("collector:\n" + tokens, Map.of()).storage().remote()).isEmpty();

    ConfigException noQuery =
        error(
            "collector:\n"
                + tokens
                + "  storage:\n"
                + "    type: remote\n"
                + "    write_url: http://vm:8428/api/v1/write\n");
    assertThat(noQuery.getMessage()).contains("query_url");
    ConfigException notRemote =
        error("collector:\n" + tokens + "  storage:\n" + "    query_url: http://vm:8428\n");
    assertThat(notRemote.line()).isEqualTo(6);
    assertThat(notRemote.getMessage()).contains("type: remote");
    ConfigException badType = error("collector:\n" + tokens + "  storage:\n    type: cassandra\n");
    assertThat(badType.line()).isEqualTo(6);
    assertThat(badType.getMessage()).contains("postgresql or remote");
    ConfigException noAccounts =
        error(
            "collector:\n"
                + tokens
                + "  storage:\n"
                + "    type: remote\n"
                + "    query_url: http://vmselect:8481/select/{account}/prometheus\n"
                + "    write_url: http://vminsert:8480/insert/0/prometheus/api/v1/write\n");
    assertThat(noAccounts.line()).isEqualTo(7);
    assertThat(noAccounts.getMessage()).contains("tenant_accounts");
    ConfigException clash =
        error(
            "collector:\n"
                + tokens
                + "  storage:\n"
                + "    type: remote\n"
                + "    query_url: http://vm:8428\n"
                + "    write_url: http://vm:8428/api/v1/write\n"
                + "  remote_write:\n"
                + "    - url: http://other/api/v1/write\n"
                + "      name: storage\n");
    assertThat(clash.line()).isEqualTo(10);
    assertThat(clash.getMessage()).contains("another name");
  }

  @Test
  void clusterNamesTheReplicaAndItsLeases() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    assertThat(load("collector:\n" + tokens, Map.of()).cluster()).isEmpty();
    CollectorConfig c =
        load(
            "collector:\n"
                + tokens
                + "  listen: 0.0.0.0:4318\n"
                + "  evaluation_interval: 30s\n"
                + "  cluster:\n"
                + "    replica: ${POD_NAME}\n"
                + "    shards: 32\n",
            Map.of("POD_NAME", "collector-2"));
    ClusterConfig cc = c.cluster().orElseThrow();
    assertThat(cc.replica()).isEqualTo("collector-2");
    assertThat(cc.address()).isEqualTo("0.0.0.0:4318");
    assertThat(cc.shards()).isEqualTo(32);
    assertThat(cc.leaseTtl(c.evaluationInterval())).isEqualTo(Duration.ofSeconds(15));
    ConfigException bad = error("collector:\n" + tokens + "  cluster:\n    shards: 0\n");
    assertThat(bad.line()).isEqualTo(6);
    assertThat(bad.getMessage()).contains("shards");
    ConfigException key = error("collector:\n" + tokens + "  cluster:\n    replicas: 3\n");
    assertThat(key.getMessage()).contains("replicas");
  }

  @Test
  void maintenanceExcludesSlosOfTheTenantsNamed() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    assertThat(load("collector:\n" + tokens, Map.of()).events().maintenanceExcludes("acme"))
        .isFalse();
    CollectorConfig c =
        load(
            "collector:\n" + tokens + "  events:\n    maintenance_excludes_slos: [acme, globex]\n",
            Map.of());
    assertThat(c.events().maintenanceExcludes("acme")).isTrue();
    assertThat(c.events().maintenanceExcludes("initech")).isFalse();
    assertThat(
            load(
                    "collector:\n" + tokens + "  events:\n    maintenance_excludes_slos: [\"*\"]\n",
                    Map.of())
                .events()
                .maintenanceExcludes("initech"))
        .isTrue();
    ConfigException bad =
        error("collector:\n" + tokens + "  events:\n    maintenance_excludes_slos: [Acme Corp]\n");
    assertThat(bad.line()).isEqualTo(6);
    assertThat(bad.getMessage()).contains("Acme Corp");
    ConfigException key = error("collector:\n" + tokens + "  events:\n    guard: {}\n");
    assertThat(key.getMessage()).contains("guard");
  }

  @Test
  void theReleaseGuardHasDefaultsAndChecksItsSettings() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    assertThat(load("collector:\n" + tokens, Map.of()).events().releaseGuard())
        .isEqualTo(ReleaseGuardConfig.DEFAULT);
    ReleaseGuardConfig g =
        load(
                "collector:\n"
                    + tokens
                    + "  events:\n    release_guard:\n      window: 1h\n      min_events: 50\n"
                    + "      p_value: 0.001\n",
                Map.of())
            .events()
            .releaseGuard();
    assertThat(g.window()).isEqualTo(Duration.ofHours(1));
    assertThat(g.minEvents()).isEqualTo(50);
    assertThat(g.pValue()).isEqualTo(0.001);
    assertThat(g.minDrop()).isEqualTo(ReleaseGuardConfig.DEFAULT.minDrop());
    ConfigException bad =
        error("collector:\n" + tokens + "  events:\n    release_guard:\n      p_value: 0.9\n");
    assertThat(bad.getMessage()).contains("p_value");
    assertThat(bad.line()).isEqualTo(7);
    ConfigException key =
        error("collector:\n" + tokens + "  events:\n    release_guard:\n      windw: 1h\n");
    assertThat(key.getMessage()).contains("windw");
  }

  @Test
  void ownMetricsAreStoredEvery15sUnlessSetOtherwise() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    assertThat(load("collector:\n" + tokens, Map.of()).ownMetricsInterval())
        .isEqualTo(Duration.ofSeconds(15));
    assertThat(
            load("collector:\n" + tokens + "  own_metrics_interval: 0s\n", Map.of())
                .ownMetricsInterval())
        .isZero();
    assertThat(
            load("collector:\n" + tokens + "  own_metrics_interval: 1m\n", Map.of())
                .ownMetricsInterval())
        .isEqualTo(Duration.ofMinutes(1));
    ConfigException bad = error("collector:\n" + tokens + "  own_metrics_interval: soon\n");
    assertThat(bad.getMessage()).contains("own_metrics_interval").contains(":5");
  }

  @Test
  void ingestLimitsHaveDefaultsAndOverridesPerTenant() throws IOException {
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    IngestLimits d = load("collector:\n" + tokens, Map.of()).limits();
    assertThat(d.maxLabelNamesPerSeries()).isEqualTo(30);
    assertThat(d.maxLabelValueLength()).isEqualTo(2048);
    assertThat(d.creationGracePeriod()).isEqualTo(Duration.ofMinutes(10));
    assertThat(d.outOfOrderWindow()).isEqualTo(StorageConfig.DEFAULT_RETENTION);
    IngestLimits l =
        load(
                "collector:\n"
                    + tokens
                    + "  limits:\n"
                    + "    max_series_per_tenant: 1000\n"
                    + "    out_of_order_window: 2h\n"
                    + "    tenants:\n"
                    + "      big: {max_series_per_tenant: 50000}\n",
                Map.of())
            .limits();
    assertThat(l.of("acme").maxSeriesPerTenant()).isEqualTo(1000);
    assertThat(l.of("big").maxSeriesPerTenant()).isEqualTo(50_000);
    // a tenant's override starts from the file's limits, not the defaults
    assertThat(l.of("big").outOfOrderWindow()).isEqualTo(Duration.ofHours(2));
    ConfigException zero =
        error("collector:\n" + tokens + "  limits:\n    max_label_names_per_series: 0\n");
    assertThat(zero.line()).isEqualTo(6);
    assertThat(zero.field()).isEqualTo("collector.limits.max_label_names_per_series");
    ConfigException unknown =
        error("collector:\n" + tokens + "  limits:\n    tenants:\n      a: {max_seriez: 1}\n");
    assertThat(unknown.getMessage()).contains("max_seriez");
  }

  @Test
  void withoutStorageUrlTheStorageIsEmbeddedNextToTheFile() throws IOException {
    CollectorConfig c =
        load(
            """
            collector:
              tokens:
                - token: abc-0123456789abcdef
                  tenants: [acme]
            """,
            Map.of());
    assertThat(c.storage().url()).isEmpty();
    assertThat(c.storage().dataDir()).isEqualTo(dir.toAbsolutePath().resolve("data"));
    assertThat(c.listen()).isEqualTo(CollectorConfig.DEFAULT_LISTEN);
    assertThat(c.builtinRulePack()).isTrue(); // the built-in pack is on unless turned off
  }

  @Test
  void theAlertingSectionLoads() throws IOException {
    CollectorConfig c =
        load(
            """
            collector:
              tokens:
                - token: abc-0123456789abcdef
                  tenants: ["*"]
              alerting:
                alertmanagers: [http://am-1:9093, http://am-2:9093]
                resend_delay: 2m
                external_url: https://tillwatch.example.com
                dashboard_url: https://grafana.example.com/d/t?var-tenant=
                runbook_base_url: https://git.example.com/ops/tillwatch/-/blob/main/
                queue_capacity: 500
            """,
            Map.of());
    var a = c.alerting();
    assertThat(a.alertmanagers())
        .extracting(Object::toString)
        .containsExactly("http://am-1:9093", "http://am-2:9093");
    assertThat(a.resendDelay()).isEqualTo(Duration.ofMinutes(2));
    assertThat(a.externalUrl()).isEqualTo("https://tillwatch.example.com");
    assertThat(a.dashboardUrl()).isEqualTo("https://grafana.example.com/d/t?var-tenant=");
    assertThat(a.runbookBaseUrl()).isEqualTo("https://git.example.com/ops/tillwatch/-/blob/main/");
    assertThat(a.queueCapacity()).isEqualTo(500);
  }

  @Test
  void theBuiltinRulePackCanBeTurnedOff() throws IOException {
    CollectorConfig c =
        load(
            """
            collector:
              tokens:
                - token: abc-0123456789abcdef
                  tenants: [acme]
              builtin_rule_pack: false
            """,
            Map.of());
    assertThat(c.builtinRulePack()).isFalse();
  }

  @Test
  void errorsNameLineAndField() throws IOException {
    ConfigException noTokens = error("collector:\n  listen: 127.0.0.1:4318\n");
    assertThat(noTokens.field()).isEqualTo("collector.tokens");
    ConfigException emptyToken =
        error("collector:\n  tokens:\n    - token: ${UNSET_TOKEN}\n      tenants: [acme]\n");
    assertThat(emptyToken.line()).isEqualTo(3);
    assertThat(emptyToken.field()).isEqualTo("collector.tokens[0].token");
    ConfigException url =
        error(
            """
            collector:
              storage:
                url: postgres://db/tillwatch
              tokens:
                - token: abc-0123456789abcdef
                  tenants: [acme]
            """);
    assertThat(url.line()).isEqualTo(3);
    assertThat(url.field()).isEqualTo("collector.storage.url");
    assertThat(url.problem()).contains("not a PostgreSQL JDBC URL");
    ConfigException retention =
        error(
            """
            collector:
              storage:
                retention: 6h
              tokens:
                - token: abc-0123456789abcdef
                  tenants: [acme]
            """);
    assertThat(retention.field()).isEqualTo("collector.storage.retention");
    ConfigException layout =
        error(
            """
            collector:
              storage:
                layout: timescale
              tokens:
                - token: abc-0123456789abcdef
                  tenants: [acme]
            """);
    assertThat(layout.line()).isEqualTo(3);
    assertThat(layout.field()).isEqualTo("collector.storage.layout");
    assertThat(layout.problem())
        .contains("'timescale' is not a layout (auto, plain or timescaledb)");
    ConfigException tenant =
        error(
            "collector:\n  tokens:\n    - token: abc-0123456789abcdef\n      tenants: [Acme Corp]\n");
    assertThat(tenant.field()).isEqualTo("collector.tokens[0].tenants[0]");
    ConfigException unknown =
        error(
            "collector:\n  hed: 3h\n  tokens:\n    - token: abc-0123456789abcdef\n      tenants: [acme]\n");
    assertThat(unknown.line()).isEqualTo(2);
    assertThat(unknown.field()).isEqualTo("collector.hed");
  }

  @Test
  void sloFilesByNameOrGlobRelativeToTheFile() throws IOException {
    Files.createDirectories(dir.resolve("slos"));
    Files.writeString(dir.resolve("slos/b.yml"), "slos: []\n");
    Files.writeString(dir.resolve("slos/a.yml"), "slos: []\n");
    Files.writeString(dir.resolve("slos/notes.txt"), "x\n");
    String tokens = "  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n";
    CollectorConfig c =
        load("collector:\n" + tokens + "  slo_files: [slos/*.yml, slos/b.yml]\n", Map.of());
    assertThat(c.sloFiles()).containsExactly(dir.resolve("slos/a.yml"), dir.resolve("slos/b.yml"));
    ConfigException none = error("collector:\n" + tokens + "  slo_files: [slos/*.yaml]\n");
    assertThat(none.field()).isEqualTo("collector.slo_files[0]");
    assertThat(none.problem()).startsWith("no SLO file matches ");
  }

  private static final String REPORTS =
      """
      collector:
        tokens:
          - token: abc-0123456789abcdef
            tenants: ["*"]
      reports:
        weekly:
          send_at: Mon 08:00
          from: "tillwatch <slo@example.com>"
          smtp:
            host: smtp.example.com
            port: 587
            starttls: required
            user: tillwatch
            password: ${SMTP_PASSWORD}
          recipients:
            acme: [cfo@acme.example, ops@acme.example]
            estate: [leadership@hoster.example]
          brand: {name: "Hoster Cloud", logo: file:logo.png}
      """;

  @Test
  void theWeeklyReportSectionLoadsWithTheSecretFromTheEnvironment() throws IOException {
    Files.write(dir.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    ReportsConfig.Weekly w =
        load(REPORTS, Map.of("SMTP_PASSWORD", "pw-from-env")).reports().weekly().orElseThrow();
    assertThat(w.day()).isEqualTo(java.time.DayOfWeek.MONDAY);
    assertThat(w.time()).isEqualTo(java.time.LocalTime.of(8, 0));
    assertThat(w.smtp().host()).isEqualTo("smtp.example.com");
    assertThat(w.smtp().port()).isEqualTo(587);
    assertThat(w.smtp().starttls())
        .isEqualTo(io.tillwatch.alerting.report.SmtpConfig.StartTls.REQUIRED);
    assertThat(w.smtp().implicitTls()).isFalse();
    assertThat(w.smtp().password().reveal()).isEqualTo("pw-from-env");
    assertThat(w.smtp().toString()).doesNotContain("pw-from-env");
    assertThat(w.smtp().from().getPersonal()).isEqualTo("tillwatch");
    assertThat(w.recipients())
        .containsEntry("acme", java.util.List.of("cfo@acme.example", "ops@acme.example"))
        .containsEntry("estate", java.util.List.of("leadership@hoster.example"));
    assertThat(w.brand().name()).isEqualTo("Hoster Cloud");
    assertThat(w.brand().logo().orElseThrow()).hasSize(4);
    // no reports section: none
    assertThat(
            load(
                    "collector:\n  tokens:\n    - token: t-0123456789abcdef\n      tenants: [\"*\"]\n",
                    Map.of())
                .reports())
        .isEqualTo(ReportsConfig.NONE);
  }

  @Test
  void reportErrorsNameLineAndField() throws IOException {
    Files.write(dir.resolve("logo.png"), new byte[] {1});
    ConfigException clear =
        error(
            REPORTS
                .replace("starttls: required", "starttls: off")
                .replace("${SMTP_PASSWORD}", "x"));
    assertThat(clear.field()).isEqualTo("reports.weekly.smtp");
    assertThat(clear.problem()).contains("only for a loopback host");
    ConfigException noPassword = error(REPORTS);
    assertThat(noPassword.field()).isEqualTo("reports.weekly.smtp.password");
    assertThat(noPassword.problem()).contains("SMTP_PASSWORD");
    ConfigException when = error(REPORTS.replace("Mon 08:00", "Monday at eight"));
    assertThat(when.line()).isEqualTo(7);
    assertThat(when.field()).isEqualTo("reports.weekly.send_at");
    ConfigException address =
        error(REPORTS.replace("ops@acme.example", "ops at acme").replace("${SMTP_PASSWORD}", "x"));
    assertThat(address.line()).isEqualTo(16);
    assertThat(address.field()).isEqualTo("reports.weekly.recipients.acme[1]");
    ConfigException unknown =
        error(REPORTS.replace("port: 587", "prot: 587").replace("${SMTP_PASSWORD}", "x"));
    assertThat(unknown.field()).isEqualTo("reports.weekly.smtp.prot");
    ConfigException mode =
        error(
            REPORTS
                .replace("starttls: required", "starttls: always")
                .replace("${SMTP_PASSWORD}", "x"));
    assertThat(mode.field()).isEqualTo("reports.weekly.smtp.starttls");
    assertThat(mode.problem()).contains("required, optional or off");
  }
}
