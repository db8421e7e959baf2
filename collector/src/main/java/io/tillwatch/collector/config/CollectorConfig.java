package io.tillwatch.collector.config;

import io.tillwatch.model.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The collector's settings, from the {@code collector:} section of its file.
 *
 * @param listen where ingest and API listen
 * @param storage where samples are kept
 * @param head how much of every series stays in memory for the rule engine
 * @param tokens who may write and read which tenants
 * @param maxQueuedSamples samples waiting to be written before ingest answers 429
 * @param ruleFiles rule files (read by the caller) evaluated over the head
 * @param builtinRulePack whether the built-in rule pack is evaluated too (the default)
 * @param evaluationInterval the interval of rule groups that set none
 * @param alerting where alerts are delivered
 * @param query the query API's limits
 * @param sloFiles SLO files (read by the caller): their rules are evaluated as rule groups
 * @param builtinSlos whether the built-in SLO catalogue is kept too (the default in files)
 * @param reports the weekly SLO report by email, when configured
 * @param ownMetricsInterval how often the collector stores its own metrics (what its {@code
 *     /metrics} shows) as series, for the "tillwatch itself" dashboard ({@code
 *     own_metrics_interval}, 15s in files); zero: never
 * @param limits what each tenant may write ({@code limits}); null: the defaults, samples back to
 *     the storage retention
 * @param web TLS and basic auth of the listener ({@code web_config_file}: Prometheus's web
 *     configuration format); null: neither
 * @param cluster present when this collector is one of several replicas on one PostgreSQL
 * @param events what events (releases, maintenance) do beyond being recorded
 */
public record CollectorConfig(
    HostPort listen,
    StorageConfig storage,
    Duration head,
    List<TokenGrant> tokens,
    int maxQueuedSamples,
    List<java.nio.file.Path> ruleFiles,
    boolean builtinRulePack,
    Duration evaluationInterval,
    AlertingConfig alerting,
    QueryConfig query,
    List<java.nio.file.Path> sloFiles,
    boolean builtinSlos,
    ReportsConfig reports,
    Duration ownMetricsInterval,
    IngestLimits limits,
    io.tillwatch.web.WebConfig web,
    List<RemoteWriteConfig> remoteWrite,
    java.util.Optional<ClusterConfig> cluster,
    EventsConfig events) {
  /** The default listen address: OTLP/HTTP's port on loopback. */
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 4318);

  public static final Duration DEFAULT_HEAD = Duration.ofHours(3);

  public static final int DEFAULT_MAX_QUEUED_SAMPLES = 1_000_000;

  public static final Duration DEFAULT_EVALUATION_INTERVAL = Duration.ofMinutes(1);

  /**
   * How often a collector configured from a file stores its own metrics: a common scrape interval.
   */
  public static final Duration DEFAULT_OWN_METRICS_INTERVAL = Duration.ofSeconds(15);

  /** Settings without remote write. */
  public CollectorConfig(
      HostPort listen,
      StorageConfig storage,
      Duration head,
      List<TokenGrant> tokens,
      int maxQueuedSamples,
      List<java.nio.file.Path> ruleFiles,
      boolean builtinRulePack,
      Duration evaluationInterval,
      AlertingConfig alerting,
      QueryConfig query,
      List<java.nio.file.Path> sloFiles,
      boolean builtinSlos,
      ReportsConfig reports,
      Duration ownMetricsInterval,
      IngestLimits limits,
      io.tillwatch.web.WebConfig web) {
    this(
        listen,
        storage,
        head,
        tokens,
        maxQueuedSamples,
        ruleFiles,
        builtinRulePack,
        evaluationInterval,
        alerting,
        query,
        sloFiles,
        builtinSlos,
        reports,
        ownMetricsInterval,
        limits,
        web,
        List.of(),
        java.util.Optional.empty(),
        EventsConfig.DEFAULT);
  }

  /** Settings without rules (not even the built-in pack). */
  public CollectorConfig(
      HostPort listen,
      StorageConfig storage,
      Duration head,
      List<TokenGrant> tokens,
      int maxQueuedSamples) {
    this(
        listen,
        storage,
        head,
        tokens,
        maxQueuedSamples,
        List.of(),
        false,
        DEFAULT_EVALUATION_INTERVAL,
        AlertingConfig.NONE);
  }

  /** Settings with the query API's default limits. */
  public CollectorConfig(
      HostPort listen,
      StorageConfig storage,
      Duration head,
      List<TokenGrant> tokens,
      int maxQueuedSamples,
      List<java.nio.file.Path> ruleFiles,
      boolean builtinRulePack,
      Duration evaluationInterval,
      AlertingConfig alerting) {
    this(
        listen,
        storage,
        head,
        tokens,
        maxQueuedSamples,
        ruleFiles,
        builtinRulePack,
        evaluationInterval,
        alerting,
        QueryConfig.DEFAULT);
  }

  /** Settings without SLO files. */
  public CollectorConfig(
      HostPort listen,
      StorageConfig storage,
      Duration head,
      List<TokenGrant> tokens,
      int maxQueuedSamples,
      List<java.nio.file.Path> ruleFiles,
      boolean builtinRulePack,
      Duration evaluationInterval,
      AlertingConfig alerting,
      QueryConfig query) {
    this(
        listen,
        storage,
        head,
        tokens,
        maxQueuedSamples,
        ruleFiles,
        builtinRulePack,
        evaluationInterval,
        alerting,
        query,
        List.of());
  }

  /** Settings without the built-in SLO catalogue. */
  public CollectorConfig(
      HostPort listen,
      StorageConfig storage,
      Duration head,
      List<TokenGrant> tokens,
      int maxQueuedSamples,
      List<java.nio.file.Path> ruleFiles,
      boolean builtinRulePack,
      Duration evaluationInterval,
      AlertingConfig alerting,
      QueryConfig query,
      List<java.nio.file.Path> sloFiles) {
    this(
        listen,
        storage,
        head,
        tokens,
        maxQueuedSamples,
        ruleFiles,
        builtinRulePack,
        evaluationInterval,
        alerting,
        query,
        sloFiles,
        false);
  }

  public CollectorConfig {
    Objects.requireNonNull(query, "query");
    sloFiles = List.copyOf(sloFiles);
    ruleFiles = List.copyOf(ruleFiles);
    Objects.requireNonNull(alerting, "alerting");
    Objects.requireNonNull(evaluationInterval, "evaluationInterval");
    Objects.requireNonNull(reports, "reports");
    Objects.requireNonNull(ownMetricsInterval, "ownMetricsInterval");
    if (limits == null) {
      limits = IngestLimits.defaults(storage.retention());
    }
    if (web == null) {
      web = io.tillwatch.web.WebConfig.NONE;
    }
    remoteWrite = List.copyOf(remoteWrite);
    Objects.requireNonNull(cluster, "cluster");
    if (events == null) {
      events = EventsConfig.DEFAULT;
    }
    if (ownMetricsInterval.isNegative()) {
      throw new IllegalArgumentException("own_metrics_interval must not be negative");
    }
    Objects.requireNonNull(listen, "listen");
    Objects.requireNonNull(storage, "storage");
    Objects.requireNonNull(head, "head");
    tokens = List.copyOf(tokens);
    if (head.isNegative() || head.isZero()) {
      throw new IllegalArgumentException("head must be longer than 0s");
    }
    if (maxQueuedSamples < 1) {
      throw new IllegalArgumentException("max_queued_samples must be at least 1");
    }
  }

  /** These settings with {@code t} as the tokens. */
  public CollectorConfig withTokens(List<TokenGrant> t) {
    Copy c = new Copy(this);
    c.tokens = t;
    return c.build();
  }

  /** These settings with {@code files} as the rule files. */
  public CollectorConfig withRuleFiles(List<java.nio.file.Path> files) {
    Copy c = new Copy(this);
    c.ruleFiles = files;
    return c.build();
  }

  /** These settings with {@code files} as the SLO files. */
  public CollectorConfig withSloFiles(List<java.nio.file.Path> files) {
    Copy c = new Copy(this);
    c.sloFiles = files;
    return c.build();
  }

  /** These settings with the built-in SLO catalogue on or off. */
  public CollectorConfig withBuiltinSlos(boolean on) {
    Copy c = new Copy(this);
    c.builtinSlos = on;
    return c.build();
  }

  /** These settings with {@code a} as the alerting. */
  public CollectorConfig withAlerting(AlertingConfig a) {
    Copy c = new Copy(this);
    c.alerting = a;
    return c.build();
  }

  /** These settings with {@code r} as the reports. */
  public CollectorConfig withReports(ReportsConfig r) {
    Copy c = new Copy(this);
    c.reports = r;
    return c.build();
  }

  /**
   * These settings with the collector's own metrics stored every {@code interval} (zero: never).
   */
  public CollectorConfig withOwnMetricsInterval(Duration interval) {
    Copy c = new Copy(this);
    c.ownMetricsInterval = interval;
    return c.build();
  }

  /** These settings with {@code l} as what each tenant may write. */
  public CollectorConfig withLimits(IngestLimits l) {
    Copy c = new Copy(this);
    c.limits = l;
    return c.build();
  }

  /** These settings with {@code w} as the listener's TLS and basic auth. */
  public CollectorConfig withWeb(io.tillwatch.web.WebConfig w) {
    Copy c = new Copy(this);
    c.web = w;
    return c.build();
  }

  /** These settings with {@code r} as the remote-write endpoints. */
  public CollectorConfig withRemoteWrite(List<RemoteWriteConfig> r) {
    Copy c = new Copy(this);
    c.remoteWrite = r;
    return c.build();
  }

  /** These settings as one replica of several ({@code collector.cluster}). */
  public CollectorConfig withCluster(ClusterConfig c) {
    Copy copy = new Copy(this);
    copy.cluster = java.util.Optional.of(c);
    return copy.build();
  }

  /** These settings with {@code e} as what events do. */
  public CollectorConfig withEvents(EventsConfig e) {
    Copy c = new Copy(this);
    c.events = e;
    return c.build();
  }

  /** These settings with {@code s} as where samples are kept. */
  public CollectorConfig withStorage(StorageConfig s) {
    Copy c = new Copy(this);
    c.storage = s;
    return c.build();
  }

  /** The settings as fields, for the {@code with…} methods to change one of them. */
  private static final class Copy {
    private final CollectorConfig from;
    List<java.nio.file.Path> sloFiles;
    List<java.nio.file.Path> ruleFiles;
    List<TokenGrant> tokens;
    boolean builtinSlos;
    ReportsConfig reports;
    AlertingConfig alerting;
    Duration ownMetricsInterval;
    IngestLimits limits;
    io.tillwatch.web.WebConfig web;
    List<RemoteWriteConfig> remoteWrite;
    StorageConfig storage;
    java.util.Optional<ClusterConfig> cluster;
    EventsConfig events;

    Copy(CollectorConfig from) {
      this.from = from;
      events = from.events;
      storage = from.storage;
      cluster = from.cluster;
      sloFiles = from.sloFiles;
      ruleFiles = from.ruleFiles;
      tokens = from.tokens;
      builtinSlos = from.builtinSlos;
      reports = from.reports;
      alerting = from.alerting;
      ownMetricsInterval = from.ownMetricsInterval;
      limits = from.limits;
      web = from.web;
      remoteWrite = from.remoteWrite;
    }

    CollectorConfig build() {
      return new CollectorConfig(
          from.listen,
          storage,
          from.head,
          tokens,
          from.maxQueuedSamples,
          ruleFiles,
          from.builtinRulePack,
          from.evaluationInterval,
          alerting,
          from.query,
          sloFiles,
          builtinSlos,
          reports,
          ownMetricsInterval,
          limits,
          web,
          remoteWrite,
          cluster,
          events);
    }
  }

  /** Settings without reports, whose own metrics are not stored. */
  public CollectorConfig(
      HostPort listen,
      StorageConfig storage,
      Duration head,
      List<TokenGrant> tokens,
      int maxQueuedSamples,
      List<java.nio.file.Path> ruleFiles,
      boolean builtinRulePack,
      Duration evaluationInterval,
      AlertingConfig alerting,
      QueryConfig query,
      List<java.nio.file.Path> sloFiles,
      boolean builtinSlos) {
    this(
        listen,
        storage,
        head,
        tokens,
        maxQueuedSamples,
        ruleFiles,
        builtinRulePack,
        evaluationInterval,
        alerting,
        query,
        sloFiles,
        builtinSlos,
        ReportsConfig.NONE,
        Duration.ZERO,
        null,
        null);
  }
}
