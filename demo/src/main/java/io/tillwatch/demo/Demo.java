package io.tillwatch.demo;

import io.tillwatch.agent.Agent;
import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.collector.RunningBackend;
import io.tillwatch.config.StartupException;
import io.tillwatch.localpg.PostgresBinaries;
import io.tillwatch.model.Secret;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code tillwatch demo}: a sandbox estate of tenant acme (PostgreSQL primary and streaming
 * standby, an Odoo shop database, Redis sessions, pgBackRest backups) with workloads that break
 * things now and then, the agent on it, the collector with the built-in rule pack and a local
 * Alertmanager. {@link #close()} stops and removes everything, in reverse order of start.
 */
public final class Demo implements AutoCloseable {
  private final Deque<AutoCloseable> started = new ArrayDeque<>(); // closed in reverse order
  private final PrintWriter out;
  private String collectorUrl;
  private String token;
  private String agentMetrics;

  private Demo(PrintWriter out) {
    this.out = out;
  }

  /** The collector's base URL (its Prometheus API is under {@code /api/v1}). */
  public String collectorUrl() {
    return collectorUrl;
  }

  /** The bearer token of the collector's API and ingest (for every tenant). */
  public String token() {
    return token;
  }

  /** The agent's {@code /metrics}, for a Prometheus to scrape. */
  public String agentMetricsUrl() {
    return agentMetrics;
  }

  /** Starts every part, printing what it does; on failure, stops what it had started. */
  public static Demo start(DemoOptions options, PrintWriter out) throws Exception {
    Demo demo = new Demo(out);
    try {
      demo.startAll(options);
    } catch (Exception | Error e) {
      demo.close();
      throw e;
    }
    return demo;
  }

  private void startAll(DemoOptions options) throws Exception {
    Path bin = options.pgBin().orElseGet(() -> PostgresBinaries.find(options.embedded(), out));
    DemoEstate estate = DemoEstate.create(started, out);
    List<TargetConfig> targets = new ArrayList<>();
    targets.addAll(estate.startDatabases(bin));
    targets.addAll(estate.startRedis());
    targets.addAll(estate.startBackups());
    targets.addAll(estate.startIngress());
    DemoCollector collector =
        DemoCollector.start(started, out, options, bin, estate.acme(), estate.dir());
    Agent agent = startAgent(options, collector, estate, targets);
    started.push(() -> stopAgent(agent));
    this.collectorUrl = "http://127.0.0.1:" + collector.running().backend().port();
    this.token = collector.token();
    this.agentMetrics = agent.metricsUrl();
    DemoGuide.print(out, agent.metricsUrl(), estate, targets, collector);
    DemoReporter reporter =
        DemoReporter.start(
            collector.running().backend(),
            collector.token(),
            estate.acme().id(),
            estate.acme().zone(),
            estate.dir().resolve("reports"),
            options.reportAfter());
    started.push(reporter::stop);
  }

  private static Agent startAgent(
      DemoOptions options, DemoCollector collector, DemoEstate estate, List<TargetConfig> targets)
      throws Exception {
    RunningBackend running = collector.running();
    PushConfig push =
        new PushConfig(
            URI.create("http://127.0.0.1:" + running.backend().port() + "/v1/metrics"),
            Secret.of(collector.token()),
            PushConfig.DEFAULT_BUFFER_BYTES,
            estate.dir().resolve("push-buffer"),
            true);
    Duration every = options.interval();
    EstateConfig config =
        new EstateConfig(
            new AgentConfig(
                options.listen(),
                every,
                Duration.ofSeconds(Math.min(5, every.toSeconds())),
                Optional.of(push)),
            List.of(new TenantConfig(estate.acme(), targets)));
    Agent agent = Agent.create(config);
    try {
      agent.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      stopAgent(agent);
      throw StartupException.portInUse(e, options.listen().toString(), "--listen")
          .orElseThrow(() -> e);
    }
    return agent;
  }

  private static void stopAgent(Agent agent) {
    try {
      agent.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("tillwatch demo: stopping the agent: " + e.getMessage());
    }
  }

  /** Stops everything and removes the sandbox. */
  @Override
  public void close() {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        System.err.println("tillwatch demo: cleaning up: " + e.getMessage());
      }
    }
  }
}
