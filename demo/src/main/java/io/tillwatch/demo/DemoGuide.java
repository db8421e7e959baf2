package io.tillwatch.demo;

import io.tillwatch.agent.config.TargetConfig;
import java.io.PrintWriter;
import java.util.List;

/** What the demo prints once everything runs: where to look and what the workloads do. */
final class DemoGuide {
  private DemoGuide() {}

  static void print(
      PrintWriter out,
      String url,
      DemoEstate estate,
      List<TargetConfig> targets,
      DemoCollector collector) {
    out.printf(
        """

        tillwatch demo is running (tenant acme: %s).
          metrics:  %s
          primary:  %s   standby: %s

        What to look at:
          curl -s %s | grep -E '^tillwatch_(target_up|pg_standby|odoo_queue_oldest|odoo_orders|redis_(memory_used_ratio|evicted)|backup_age)'
          - tillwatch_target_up                              1 per healthy target
          - tillwatch_pg_replication_lag_bytes               WAL the standby has not replayed yet
          - tillwatch_pg_standby_replay_delay_seconds        true delay, from the heartbeat
          - tillwatch_pg_standby_stream_up                   0 if the stream is broken, even at "zero lag"
          - tillwatch_odoo_queue_oldest_age_seconds          stock sync behind: stores sell stock they no longer have
          - tillwatch_odoo_queue_failed_jobs, _stuck_jobs    jobs that need a human
          - tillwatch_odoo_orders_total, _last_order_age     order intake (sale and POS)
          - tillwatch_redis_evicted_keys_total               sessions evicted: cashiers logged out
          - tillwatch_backup_age_seconds{type="full"}        how old the newest backup is
        The workloads: every 90 s replay on the standby pauses for 30 s; in every 5 minutes, from
        the first on, the standby's stream is broken for 2 minutes; every 3 minutes stock sync
        stalls for a minute and some jobs fail; Redis fills its 4 MB and starts evicting sessions
        after a few minutes.
        Alerts: the built-in rule pack runs in the collector with its "for:" cut to 30 s; below,
        each alert is printed as it turns pending, fires and resolves (Watchdog always fires: it
        proves the pipeline works). StockSyncStalled needs the queue 10 minutes behind, which the
        1-minute stalls do not reach. SLOs (standby streaming 99 %%, stock sync under a minute
        95 %%, over one day) are printed once a minute from the first full minute: each broken
        stream spends budget, and their burn-rate alerts page. After 3 minutes (--report-after) the weekly SLO
        report of this week so far is rendered (HTML with its charts, PDF, CSV: what leadership
        gets by email on Mondays) and its files are printed. Ctrl-C stops everything and
        removes the sandbox.
        """,
        String.join(", ", targets.stream().map(TargetConfig::name).toList()),
        url,
        estate.cluster().primary().jdbcUrl("postgres"),
        estate.cluster().standby().jdbcUrl("postgres"),
        url);
    out.printf(
        "  collector:    http://127.0.0.1:%d/v1/metrics (OTLP/HTTP), /api/v1/alerts"
            + " (Prometheus API; bearer token in %s)%n",
        collector.running().backend().port(), collector.tokenFile());
    out.printf(
        "  grafana:      a Prometheus data source at http://127.0.0.1:%1$d with the header"
            + " \"Authorization: Bearer <the token in %2$s>\", or provision the dashboards:%n"
            + "                TILLWATCH_URL=http://127.0.0.1:%1$d TILLWATCH_TOKEN=$(cat %2$s)"
            + " TILLWATCH_DASHBOARDS=<tillwatch>/dashboards/grafana grafana-server with%n"
            + "                dashboards/provisioning/{datasources,dashboards}/tillwatch.yaml"
            + " in its provisioning directory (see dashboards/README.md)%n",
        collector.running().backend().port(), collector.tokenFile());
    out.printf(
        "  alertmanager: %s%n%n",
        collector
            .alertmanager()
            .map(am -> am + " (its UI; alerts at /api/v2/alerts)")
            .orElse(
                "none on this machine (apt-get install prometheus-alertmanager to see delivery)"));
    out.flush();
  }
}
