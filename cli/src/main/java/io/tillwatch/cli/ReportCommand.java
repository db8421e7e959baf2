package io.tillwatch.cli;

import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.alerting.report.IsoWeek;
import io.tillwatch.alerting.report.RenderedReport;
import io.tillwatch.alerting.report.ReportMailer;
import io.tillwatch.alerting.report.WeeklyReport;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.collector.config.CollectorConfig;
import io.tillwatch.collector.config.CollectorConfigLoader;
import io.tillwatch.collector.report.ReportDesk;
import io.tillwatch.collector.store.EmbeddedStorage;
import io.tillwatch.localpg.PostgresBinaries;
import io.tillwatch.model.Tenant;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tillwatch report}: one weekly SLO report, rendered to files and, on demand, mailed. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Render a tenant's (or the estate's) weekly SLO report from the collector's storage:"
          + " HTML with its PNG charts, plain text, PDF and CSV files.",
      "With --send, also mail it now to the recipients of reports.weekly in the file."
    })
final class ReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      defaultValue = "collector.yaml",
      description = "The collector's file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(
      names = "--estate",
      paramLabel = "FILE",
      description = "The estate file: tenants' names, time zones and tiers.")
  Path estate;

  @Option(
      names = "--tenant",
      required = true,
      paramLabel = "ID",
      description = "The tenant, or 'estate' for the estate's summary.")
  String tenant;

  @Option(
      names = "--week",
      paramLabel = "YYYY-Www",
      description = "The ISO week, e.g. 2026-W48 (default: the last whole week).")
  String week;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "reports",
      description = "Where the files go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--send", description = "Mail the report now, besides writing the files.")
  boolean send;

  @Option(
      names = "--pg-bin",
      paramLabel = "DIR",
      description = "PostgreSQL binaries for embedded storage (default: the machine's newest).")
  Path pgBin;

  @Override
  public Integer call() throws Exception {
    CollectorConfig c = new CollectorConfigLoader(Configs.interpolation()).load(config);
    PrintWriter w = spec.commandLine().getOut();
    Map<String, Tenant> tenants = new HashMap<>();
    if (estate != null) {
      for (TenantConfig t :
          new EstateConfigLoader(Configs.interpolation()).load(estate).tenants()) {
        tenants.put(t.tenant().id(), t.tenant());
      }
    }
    ZoneId zone =
        WeeklyReport.ESTATE.equals(tenant)
            ? c.reports().weekly().map(r -> r.estateZone()).orElse(ZoneOffset.UTC)
            : Optional.ofNullable(tenants.get(tenant)).map(Tenant::zone).orElse(ZoneOffset.UTC);
    IsoWeek wk;
    try {
      wk = week == null ? IsoWeek.of(LocalDate.now(zone)).plus(-1) : IsoWeek.parse(week);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--week: " + e.getMessage());
    }
    Optional<EmbeddedStorage> embedded = Optional.empty();
    try {
      String url;
      String user;
      io.tillwatch.model.Secret password;
      if (c.storage().url().isPresent()) {
        url = c.storage().url().get();
        user = c.storage().user();
        password = c.storage().password();
      } else {
        Path bin = pgBin != null ? pgBin : PostgresBinaries.find(false, w);
        embedded = Optional.of(EmbeddedStorage.start(bin, c.storage().dataDir()));
        url = embedded.get().url();
        user = embedded.get().user();
        password = embedded.get().password();
      }
      try (ReportDesk desk =
          ReportDesk.open(
              c,
              url,
              user,
              password,
              RunningBackend.ruleGroups(c, Configs.FILES, tenants),
              RunningBackend.sloCatalog(c, Configs.FILES),
              tenants,
              Clock.systemUTC())) {
        RenderedReport r = desk.render(tenant, wk);
        for (Path p : r.writeTo(out)) {
          w.println(p);
        }
        if (send) {
          try {
            desk.send(tenant, wk, r, Clock.systemUTC().instant());
            w.printf("sent %s to the recipients of %s%n", r.name(), tenant);
          } catch (ReportMailer.SendException e) {
            spec.commandLine()
                .getErr()
                .printf(
                    "tillwatch report: not sent (%s): %s%n",
                    e.reason().name().toLowerCase(java.util.Locale.ROOT), e.getMessage());
            return 1;
          } catch (IllegalStateException e) {
            throw new ParameterException(spec.commandLine(), "--send: " + e.getMessage());
          }
        }
      }
    } finally {
      embedded.ifPresent(EmbeddedStorage::close);
    }
    w.flush();
    return 0;
  }
}
