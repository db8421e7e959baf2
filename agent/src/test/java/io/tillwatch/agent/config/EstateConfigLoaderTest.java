package io.tillwatch.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tillwatch.config.ConfigException;
import io.tillwatch.config.Interpolation;
import io.tillwatch.model.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EstateConfigLoaderTest {
  @TempDir Path dir;

  private EstateConfigLoader loader(Map<String, String> env) {
    return new EstateConfigLoader(new Interpolation(env::get, java.nio.file.Files::readString));
  }

  private Path write(String yaml) throws IOException {
    Path f = dir.resolve("estate.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private ConfigException error(String yaml) throws IOException {
    Path f = write(yaml);
    try {
      loader(Map.of("SET", "x")).load(f);
    } catch (ConfigException e) {
      assertThat(e.file()).isEqualTo(f);
      assertThat(e.getMessage()).startsWith(f + ":" + e.line() + ":" + e.column() + ": ");
      return e;
    }
    throw new AssertionError("no error for:\n" + yaml);
  }

  private static final String TENANT_HEAD =
      """
      tenants:
        - id: acme
          tier: dedicated
          timezone: Europe/Berlin
          targets:
      """;

  private static final String PG_TARGET =
      """
            - type: postgres
              name: pg1
              url: jdbc:postgresql://h:5432/postgres
              user: monitor
      """;

  @Test
  void loadsTheDocumentedExampleIntoRecords() throws Exception {
    Files.writeString(dir.resolve("acme-standby"), "s3cr3t\n");
    Path f = Path.of(getClass().getResource("/config/estate.yaml").toURI());
    EstateConfig c =
        loader(Map.of("ACME_PG_PASSWORD", "pw1", "SECRETS_DIR", dir.toString())).load(f);

    assertThat(c.agent().listen().port()).isEqualTo(9464);
    assertThat(c.agent().interval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.agent().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.tenants()).hasSize(2);
    var acme = c.tenants().get(0);
    assertThat(acme.tenant().name()).isEqualTo("ACME Retail");
    assertThat(acme.tenant().tier()).isEqualTo(Tier.DEDICATED);
    assertThat(acme.tenant().zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
    var primary = (PostgresTargetConfig) acme.targets().get(0);
    assertThat(primary.password().reveal()).isEqualTo("pw1");
    assertThat(primary.heartbeat()).isTrue();
    assertThat(primary.interval()).contains(Duration.ofSeconds(15));
    assertThat(primary.toString()).doesNotContain("pw1").contains("***");
    var standby = (PostgresTargetConfig) acme.targets().get(1);
    assertThat(standby.password().reveal()).isEqualTo("s3cr3t");
    assertThat(standby.primary()).contains("acme-primary");
    assertThat(c.tenants().get(1).tenant().name()).isEqualTo("bistro-chain");
    assertThat(c.tenants().get(1).tenant().businessHours().toString()).isEqualTo("always");
  }

  @Test
  void redisAndBackupTargets() throws Exception {
    Path f =
        write(
            TENANT_HEAD
                + """
                  - type: redis
                    name: sessions
                    url: rediss://redis.acme:6380
                    user: monitor
                    password: ${SET}
                  - type: pgbackrest
                    name: repo
                    stanza: acme
                    config: /etc/pgbackrest/acme.conf
                    verify_every: 24h
                  - type: pgbackrest
                    name: repo-file
                    stanza: acme
                    info_json: /var/lib/tillwatch/info.json
                  - type: walg
                    name: walg
                    command: [sudo, -u, postgres, wal-g]
                  - type: backup_status
                    name: dump
                    path: /var/lib/backup/status.json
                  - type: odoo
                    name: shop
                    url: jdbc:postgresql://db:5432/acme
                    user: tillwatch_ro
                    stuck_started_after: 45m
                  - type: traefik
                    name: edge
                    url: http://traefik:8080/metrics
                    services: [odoo-acme@kubernetes, "odoo-acme-.*@kubernetes"]
                    hosts: ["*.acme.example"]
                    access_log: /var/log/traefik/access.json
                  - type: tls
                    name: shop-cert
                    address: shop.acme.example:443
                  - type: tls
                    name: pos-cert
                    address: 10.0.0.7:8443
                    server_name: pos.acme.internal
                    ca_file: /etc/tillwatch/acme-ca.pem
                """
                    .indent(6));
    var targets = loader(Map.of("SET", "pw")).load(f).tenants().get(0).targets();
    var redis = (io.tillwatch.agent.config.RedisTargetConfig) targets.get(0);
    assertThat(redis.url().getPort()).isEqualTo(6380);
    assertThat(redis.user()).contains("monitor");
    assertThat(redis.password().reveal()).isEqualTo("pw");
    var repo = (io.tillwatch.agent.config.BackupTargetConfig) targets.get(1);
    assertThat(repo.command())
        .containsExactly(
            "pgbackrest",
            "--config=/etc/pgbackrest/acme.conf",
            "--stanza=acme",
            "--output=json",
            "info");
    assertThat(repo.verify().orElseThrow().command())
        .containsExactly(
            "pgbackrest",
            "--config=/etc/pgbackrest/acme.conf",
            "--stanza=acme",
            "--output=text",
            "--verbose",
            "verify");
    assertThat(repo.verify().orElseThrow().every()).isEqualTo(Duration.ofHours(24));
    assertThat(repo.verify().orElseThrow().timeout()).isEqualTo(Duration.ofHours(1));
    var repoFile = (io.tillwatch.agent.config.BackupTargetConfig) targets.get(2);
    assertThat(repoFile.command()).isEmpty();
    assertThat(repoFile.file()).contains(Path.of("/var/lib/tillwatch/info.json"));
    var walg = (io.tillwatch.agent.config.BackupTargetConfig) targets.get(3);
    assertThat(walg.command())
        .containsExactly("sudo", "-u", "postgres", "wal-g", "backup-list", "--json", "--detail");
    assertThat(targets.get(4).type()).isEqualTo("backup_status");
    var odoo = (io.tillwatch.agent.config.OdooTargetConfig) targets.get(5);
    assertThat(odoo.stuckStartedAfter()).isEqualTo(Duration.ofMinutes(45));
    var edge = (io.tillwatch.agent.config.TraefikTargetConfig) targets.get(6);
    assertThat(edge.ownsService("odoo-acme@kubernetes")).isTrue();
    assertThat(edge.ownsService("odoo-acme-longpolling@kubernetes")).isTrue();
    assertThat(edge.ownsService("odoo-bistro@kubernetes")).isFalse();
    assertThat(edge.ownsHost("shop.acme.example")).isTrue();
    assertThat(edge.ownsHost("a.b.acme.example")).isFalse();
    assertThat(edge.accessLog()).contains(Path.of("/var/log/traefik/access.json"));
    var shop = (io.tillwatch.agent.config.TlsTargetConfig) targets.get(7);
    assertThat(shop.address().port()).isEqualTo(443);
    assertThat(shop.serverName()).isEqualTo("shop.acme.example"); // the host by default
    assertThat(shop.caFile()).isEmpty();
    var pos = (io.tillwatch.agent.config.TlsTargetConfig) targets.get(8);
    assertThat(pos.address().host()).isEqualTo("10.0.0.7");
    assertThat(pos.serverName()).isEqualTo("pos.acme.internal");
    assertThat(pos.caFile()).contains(Path.of("/etc/tillwatch/acme-ca.pem"));
  }

  @Test
  void wrongKeysOfBackupAndRedisTargets() throws Exception {
    assertThat(
            error(TENANT_HEAD + "      - type: redis\n        name: r\n        url: http://x:1\n")
                .field())
        .isEqualTo("tenants[0].targets[0].url");
    assertThat(
            error(
                    TENANT_HEAD
                        + "      - type: pgbackrest\n        name: b\n        stanza: s\n        url: x\n")
                .problem())
        .startsWith("Unknown property");
    assertThat(
            error(
                    TENANT_HEAD
                        + "      - type: pgbackrest\n        name: b\n        stanza: s\n"
                        + "        info_json: /x\n        command: pgbackrest\n")
                .problem())
        .contains("not both");
    assertThat(
            error(
                    TENANT_HEAD
                        + "      - type: pgbackrest\n        name: b\n        stanza: s\n"
                        + "        info_json: /x\n        verify_every: 1d\n")
                .problem())
        .contains("verify runs pgbackrest");
    assertThat(error(TENANT_HEAD + "      - type: backup_status\n        name: b\n").field())
        .isEqualTo("tenants[0].targets[0].path");
    assertThat(error(TENANT_HEAD + "      - type: tls\n        name: t\n").field())
        .isEqualTo("tenants[0].targets[0].address");
    assertThat(
            error(TENANT_HEAD + "      - type: tls\n        name: t\n        address: shop\n")
                .field())
        .isEqualTo("tenants[0].targets[0].address");
    assertThat(
            error(
                    TENANT_HEAD
                        + "      - type: traefik\n        name: t\n        url: http://x/m\n        services: [\"(\"]\n")
                .field())
        .isEqualTo("tenants[0].targets[0].services[0]");
  }

  @Test
  void tenantFilesAreReadEachOnItsOwn() throws Exception {
    Path tenants = Files.createDirectories(dir.resolve("tenants.d"));
    Path f =
        write(
            """
            tenants_dir: tenants.d
            tenants:
              - id: acme
                tier: dedicated
                timezone: Europe/Berlin
                targets:
                  - {type: backup_status, name: acme-dump, path: /var/lib/acme.json}
            """);
    String tenant =
        """
        id: %s
        tier: shared
        timezone: Europe/Paris
        targets:
          - type: backup_status
            name: %s
            path: /var/lib/%s.json
        """;
    Files.writeString(
        tenants.resolve("bistro.yaml"), tenant.formatted("bistro", "bistro-dump", "b"));
    Files.writeString(
        tenants.resolve("corner.yml"), tenant.formatted("corner", "corner-dump", "c"));
    // a typo, the estate file's tenant again, a target name already taken, not YAML at all
    Files.writeString(
        tenants.resolve("delta.yaml"),
        tenant.formatted("delta", "delta-dump", "d").replace("tier: shared", "teir: shared"));
    Files.writeString(tenants.resolve("echo.yaml"), tenant.formatted("acme", "echo-dump", "e"));
    Files.writeString(tenants.resolve("fox.yaml"), tenant.formatted("fox", "bistro-dump", "f"));
    Files.writeString(tenants.resolve("golf.yaml"), "id: [unclosed\n");
    Files.writeString(tenants.resolve("README.txt"), "not a tenant");
    EstateConfigLoader loader = loader(Map.of());
    EstateConfig estate = loader.load(f);
    assertThat(estate.tenantsDir()).contains(tenants);
    assertThat(estate.tenants()).extracting(t -> t.tenant().id()).containsExactly("acme");
    EstateConfigLoader.TenantFiles files = loader.loadTenantFiles(estate);
    assertThat(files.tenants())
        .extracting(t -> t.tenant().id())
        .containsExactly("bistro", "corner");
    assertThat(files.broken().keySet())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("delta.yaml", "echo.yaml", "fox.yaml", "golf.yaml");
    ConfigException typo = files.broken().get(tenants.resolve("delta.yaml"));
    assertThat(typo.file()).isEqualTo(tenants.resolve("delta.yaml"));
    assertThat(typo.line()).isEqualTo(2);
    assertThat(typo.field()).isEqualTo("teir");
    ConfigException again = files.broken().get(tenants.resolve("echo.yaml"));
    assertThat(again.line()).isEqualTo(1);
    assertThat(again.getMessage()).contains("tenant 'acme' is defined already");
    ConfigException taken = files.broken().get(tenants.resolve("fox.yaml"));
    assertThat(taken.line()).isEqualTo(6);
    assertThat(taken.getMessage()).contains("'bistro-dump' is used already");
    assertThat(files.broken().get(tenants.resolve("golf.yaml")).line()).isPositive();
    // without tenants_dir, tenants stays required
    assertThat(error("agent: {interval: 15s}\n").field()).isEqualTo("tenants");
  }

  @Test
  void unknownKeyNamesItsPathAndPosition() throws Exception {
    ConfigException e = error(TENANT_HEAD + PG_TARGET + "        hearbeat: true\n");
    assertThat(e.field()).isEqualTo("tenants[0].targets[0].hearbeat");
    assertThat(e.line()).isEqualTo(10);
    assertThat(e.column()).isEqualTo(9);
    assertThat(e.problem()).startsWith("Unknown property");
  }

  @Test
  void unknownTopLevelKey() throws Exception {
    ConfigException e = error("agnet:\n  interval: 15s\n" + TENANT_HEAD + "      []\n");
    assertThat(e.field()).isEqualTo("agnet");
    assertThat(e.line()).isEqualTo(1);
  }

  @Test
  void missingField() throws Exception {
    ConfigException e =
        error(TENANT_HEAD + "      - type: postgres\n        name: pg1\n        user: monitor\n");
    assertThat(e.field()).isEqualTo("tenants[0].targets[0].url");
    assertThat(e.problem()).contains("missing");
    assertThat(e.line()).isEqualTo(6);
  }

  @Test
  void duplicateTargetNameAcrossTenants() throws Exception {
    String second =
        """
          - id: other
            tier: shared
            timezone: UTC
            targets:
        """;
    ConfigException e = error(TENANT_HEAD + PG_TARGET + second + PG_TARGET);
    assertThat(e.field()).isEqualTo("tenants[1].targets[0].name");
    assertThat(e.problem())
        .contains("duplicate target name 'pg1'")
        .contains("tenants[0].targets[0].name");
    assertThat(e.line()).isEqualTo(15);
  }

  @Test
  void duplicateTenantId() throws Exception {
    ConfigException e =
        error(
            TENANT_HEAD
                + "      []\n"
                + TENANT_HEAD.substring("tenants:\n".length())
                + "      []\n");
    assertThat(e.field()).isEqualTo("tenants[1].id");
    assertThat(e.problem()).contains("duplicate tenant id 'acme'");
  }

  @Test
  void badDuration() throws Exception {
    ConfigException e = error("agent:\n  interval: 15\n" + TENANT_HEAD + "      []\n");
    assertThat(e.field()).isEqualTo("agent.interval");
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.column()).isEqualTo(13);
    assertThat(e.problem()).contains("not a duration: '15'");
  }

  @Test
  void timeoutLongerThanInterval() throws Exception {
    ConfigException e =
        error("agent:\n  interval: 5s\n  timeout: 10s\n" + TENANT_HEAD + "      []\n");
    assertThat(e.field()).isEqualTo("agent.timeout");
  }

  @Test
  void badTimeZone() throws Exception {
    ConfigException e = error(TENANT_HEAD.replace("Europe/Berlin", "Europe/Berlim") + "      []\n");
    assertThat(e.field()).isEqualTo("tenants[0].timezone");
    assertThat(e.problem()).contains("unknown time zone 'Europe/Berlim'");
    assertThat(e.line()).isEqualTo(4);
  }

  @Test
  void unsetEnvironmentVariable() throws Exception {
    ConfigException e = error(TENANT_HEAD + PG_TARGET + "        password: ${ACME_PG_PASSWORD}\n");
    assertThat(e.field()).isEqualTo("tenants[0].targets[0].password");
    assertThat(e.problem()).isEqualTo("environment variable ACME_PG_PASSWORD is not set");
    assertThat(e.line()).isEqualTo(10);
  }

  @Test
  void unreadableSecretFile() throws Exception {
    ConfigException e =
        error(TENANT_HEAD + PG_TARGET + "        password: file:/nonexistent/secret\n");
    assertThat(e.field()).isEqualTo("tenants[0].targets[0].password");
    assertThat(e.problem()).contains("cannot read secret file /nonexistent/secret");
  }

  @Test
  void badTenantIdTierTypeUrlAndBusinessHours() throws Exception {
    assertThat(error(TENANT_HEAD.replace("id: acme", "id: ACME") + "      []\n").field())
        .isEqualTo("tenants[0].id");
    assertThat(error(TENANT_HEAD.replace("dedicated", "premium") + "      []\n").problem())
        .contains("unknown tier 'premium'");
    assertThat(error(TENANT_HEAD + PG_TARGET.replace("type: postgres", "type: mysql")).problem())
        .contains("unknown target type 'mysql'");
    assertThat(
            error(
                    TENANT_HEAD
                        + PG_TARGET.replace("jdbc:postgresql://h:5432/postgres", "postgres://h"))
                .field())
        .isEqualTo("tenants[0].targets[0].url");
    assertThat(
            error(
                    TENANT_HEAD.replace(
                            "timezone: Europe/Berlin",
                            "timezone: UTC\n    business_hours: Mon-Sun 8-22")
                        + "      []\n")
                .field())
        .isEqualTo("tenants[0].business_hours");
  }

  @Test
  void primaryMustNameATarget() throws Exception {
    ConfigException e = error(TENANT_HEAD + PG_TARGET + "        primary: nowhere\n");
    assertThat(e.field()).isEqualTo("tenants[0].targets[0].primary");
    assertThat(e.problem()).contains("'nowhere'");
  }

  @Test
  void yamlSyntaxErrorHasAPosition() throws Exception {
    ConfigException e = error("tenants:\n  - id: acme\n   tier: [dedicated\n");
    assertThat(e.problem()).startsWith("YAML syntax");
    assertThat(e.line()).isGreaterThan(1);
  }

  @Test
  void wrongShape() throws Exception {
    assertThat(error("tenants: acme\n").problem()).contains("expected a list");
    assertThat(error("- a\n").problem()).contains("expected a mapping");
  }

  @Test
  void missingFileIsAConfigError() {
    assertThatThrownBy(() -> loader(Map.of()).load(dir.resolve("absent.yaml")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("absent.yaml:1:1: cannot read the file");
  }

  @Test
  void platformIsNoTenantsName() throws IOException {
    ConfigException e =
        error(TENANT_HEAD.replaceFirst("id: [a-z0-9-]+", "id: platform") + PG_TARGET);
    assertThat(e.field()).endsWith("id");
    assertThat(e.problem()).contains("reserved");
  }

  @Test
  void agentPushIsReadWithSizesAndSecrets() throws IOException {
    EstateConfig c =
        loader(Map.of("TOKEN", "t0k3n"))
            .load(
                write(
                    """
                    agent:
                      push:
                        url: https://collector:4318/v1/metrics
                        token: ${TOKEN}
                        buffer: 2GiB
                        buffer_dir: /var/lib/tillwatch/push
                        own_metrics: true
                    """
                        + TENANT_HEAD
                        + PG_TARGET));
    var push = c.agent().push().orElseThrow();
    assertThat(push.ownMetrics()).isTrue();
    assertThat(push.url().toString()).isEqualTo("https://collector:4318/v1/metrics");
    assertThat(push.token().reveal()).isEqualTo("t0k3n");
    assertThat(push.bufferBytes()).isEqualTo(2L * 1024 * 1024 * 1024);
    assertThat(push.bufferDir()).isEqualTo(Path.of("/var/lib/tillwatch/push"));
    assertThat(loader(Map.of("TOKEN", "t")).load(write(TENANT_HEAD + PG_TARGET)).agent().push())
        .isEmpty();
    // off unless asked for: the token must be granted the platform tenant
    assertThat(
            loader(Map.of())
                .load(
                    write(
                        "agent:\n  push:\n    url: http://127.0.0.1:4318/v1/metrics\n    token: t\n"
                            + TENANT_HEAD
                            + PG_TARGET))
                .agent()
                .push()
                .orElseThrow()
                .ownMetrics())
        .isFalse();
  }

  @Test
  void aBadPushSettingNamesItsLineAndField() throws IOException {
    ConfigException size =
        error(
            """
            agent:
              push:
                url: https://collector:4318/v1/metrics
                token: x
                buffer: 512 potatoes
            """
                + TENANT_HEAD
                + PG_TARGET);
    assertThat(size.line()).isEqualTo(5);
    assertThat(size.field()).isEqualTo("agent.push.buffer");
    assertThat(size.problem()).contains("not a size");
    ConfigException scheme =
        error(
            """
            agent:
              push:
                url: ftp://collector/v1/metrics
                token: x
            """
                + TENANT_HEAD
                + PG_TARGET);
    assertThat(scheme.field()).isEqualTo("agent.push.url");
    assertThat(scheme.problem()).contains("http:// or https://");
    assertThat(
            error("agent:\n  push:\n    url: https://c/v1/metrics\n" + TENANT_HEAD + PG_TARGET)
                .field())
        .isEqualTo("agent.push.token");
    // a token in clear to another machine: refused, unless said so
    ConfigException clear =
        error(
            "agent:\n  push:\n    url: http://collector:4318/v1/metrics\n    token: t\n"
                + TENANT_HEAD
                + PG_TARGET);
    assertThat(clear.field()).isEqualTo("agent.push.url");
    assertThat(clear.problem()).contains("in clear").contains("insecure: true");
    assertThat(
            loader(Map.of())
                .load(
                    write(
                        "agent:\n  push:\n    url: http://collector:4318/v1/metrics\n"
                            + "    token: t\n    insecure: true\n"
                            + TENANT_HEAD
                            + PG_TARGET))
                .agent()
                .push()
                .orElseThrow()
                .insecure())
        .isTrue();
  }

  @Test
  void storeSettingsAreCheckedWhereTheyAreWritten() throws Exception {
    String odoo =
        "      - type: odoo\n        name: shop\n        url: jdbc:postgresql://db/acme\n"
            + "        user: ro\n";
    assertThat(error(TENANT_HEAD + odoo + "        max_stores: 10\n").getMessage())
        .contains("tenants[0].targets[0].max_stores")
        .contains("needs stores: true");
    assertThat(
            error(TENANT_HEAD + odoo + "        stores: true\n        max_stores: many\n")
                .getMessage())
        .contains("expected a whole number, got 'many'");
    assertThat(
            error(TENANT_HEAD + odoo + "        stores: true\n        store_by: region\n")
                .getMessage())
        .contains("store_by must be warehouse, company or till, got 'region'");
    assertThat(
            error(
                    TENANT_HEAD.replace(
                            "    targets:",
                            "    stores:\n      Lyon: {business_hours: Mon 25:00}\n    targets:")
                        + odoo)
                .field())
        .isEqualTo("tenants[0].stores.Lyon.business_hours");
    // a store's own hours and zone; the others trade in the tenant's
    EstateConfig ok =
        loader(Map.of())
            .load(
                write(
                    TENANT_HEAD.replace(
                            "    targets:",
                            "    business_hours: Mon-Sat 09:00-20:00\n    stores:\n"
                                + "      Lyon: {business_hours: Sun 10:00-12:00, timezone: UTC}\n"
                                + "    targets:")
                        + odoo
                        + "        stores: true\n"));
    OdooTargetConfig shop = (OdooTargetConfig) ok.tenants().getFirst().targets().getFirst();
    PosStoresConfig stores = shop.stores().orElseThrow();
    assertThat(stores.maxStores()).isEqualTo(PosStoresConfig.DEFAULT_MAX_STORES);
    assertThat(stores.storeBy()).isEqualTo(PosStoresConfig.StoreBy.WAREHOUSE);
    java.time.Instant sundayElevenUtc = java.time.Instant.parse("2026-11-29T11:00:00Z");
    assertThat(stores.hours().open("Lyon", sundayElevenUtc)).isTrue();
    assertThat(stores.hours().open("Paris", sundayElevenUtc)).isFalse();
    assertThat(stores.hours().open("Paris", java.time.Instant.parse("2026-11-30T11:00:00Z")))
        .isTrue();
  }
}
