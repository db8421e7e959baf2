package io.tillwatch.collector.config;

import io.tillwatch.alerting.report.ReportBrand;
import io.tillwatch.alerting.report.SmtpConfig;
import io.tillwatch.config.ConfigException;
import io.tillwatch.config.Interpolation;
import io.tillwatch.config.YamlNode;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.promql.QueryLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the collector's file ({@code collector:} with {@code listen}, {@code storage}, {@code
 * head}, {@code tokens}). Every error names file, line, column and field.
 */
public final class CollectorConfigLoader {
  private static final Set<String> ROOT = Set.of("collector", "reports");
  private static final Set<String> REPORTS = Set.of("weekly");
  private static final Set<String> WEEKLY =
      Set.of("send_at", "from", "smtp", "recipients", "brand", "estate_zone");
  private static final Set<String> SMTP =
      Set.of(
          "host",
          "port",
          "starttls",
          "implicit_tls",
          "user",
          "password",
          "ca_file",
          "insecure_skip_verify",
          "timeout");
  private static final Set<String> BRAND = Set.of("name", "logo");
  private static final Set<String> COLLECTOR =
      Set.of(
          "listen",
          "storage",
          "head",
          "tokens",
          "max_queued_samples",
          "rule_files",
          "builtin_rule_pack",
          "evaluation_interval",
          "alerting",
          "query",
          "slo_files",
          "builtin_slos",
          "own_metrics_interval",
          "limits",
          "web_config_file",
          "remote_write",
          "cluster",
          "events");
  private static final Set<String> EVENTS = Set.of("maintenance_excludes_slos", "release_guard");
  private static final Set<String> RELEASE_GUARD =
      Set.of(
          "enabled",
          "window",
          "min_events",
          "p_value",
          "min_drop",
          "min_share_rise",
          "min_backlog_rise");
  private static final Set<String> CLUSTER = Set.of("replica", "address", "shards", "lease_ttl");
  private static final Set<String> REMOTE_WRITE =
      Set.of("url", "name", "tenant_header", "tenant_accounts", "headers", "timeout", "queue");
  private static final Set<String> REMOTE_QUEUE =
      Set.of("shards", "max_samples_per_send", "capacity", "dir");
  private static final Set<String> LIMIT_KEYS =
      Set.of(
          "max_series_per_tenant",
          "max_label_names_per_series",
          "max_label_name_length",
          "max_label_value_length",
          "max_samples_per_request",
          "max_histogram_buckets",
          "out_of_order_window",
          "creation_grace_period");
  private static final Set<String> LIMITS =
      java.util.stream.Stream.concat(LIMIT_KEYS.stream(), java.util.stream.Stream.of("tenants"))
          .collect(java.util.stream.Collectors.toUnmodifiableSet());
  private static final Set<String> QUERY =
      Set.of("timeout", "max_samples", "max_concurrency", "max_parallel", "sample_cache_size");
  private static final Set<String> ALERTING =
      Set.of(
          "alertmanagers",
          "resend_delay",
          "external_url",
          "dashboard_url",
          "queue_capacity",
          "runbook_base_url");

  /** Keys of {@code storage} that only {@code type: remote} has. */
  private static final List<String> REMOTE_STORAGE_ONLY =
      List.of(
          "query_url",
          "write_url",
          "tenant_header",
          "tenant_accounts",
          "headers",
          "timeout",
          "queue");

  private static final Set<String> STORAGE = storageKeys();

  private static Set<String> storageKeys() {
    Set<String> keys =
        new java.util.HashSet<>(
            Set.of("type", "url", "user", "password", "retention", "data_dir", "layout"));
    keys.addAll(REMOTE_STORAGE_ONLY);
    return Set.copyOf(keys);
  }

  private static final Set<String> TOKEN = Set.of("token", "tenants", "query");

  /** The shortest token accepted: guessing one must not be an option. */
  static final int MIN_TOKEN_LENGTH = 16;

  private static final Set<String> TOKEN_QUERY = Set.of("timeout", "max_samples");
  private static final Pattern TENANT = Pattern.compile("[a-z0-9-]+|\\*");

  private final Interpolation interpolation;

  public CollectorConfigLoader(Interpolation interpolation) {
    this.interpolation = interpolation;
  }

  /** Loads and checks the file; throws {@link ConfigException} at the first error. */
  public CollectorConfig load(Path file) {
    YamlNode.Mapping root = YamlNode.parse(file, interpolation).mapping(ROOT);
    YamlNode.Mapping m = root.required("collector").mapping(COLLECTOR);
    HostPort listen =
        m.optional("listen")
            .map(n -> n.convert(s -> HostPort.parse(interpolation.expand(s))))
            .orElse(CollectorConfig.DEFAULT_LISTEN);
    Path base = file.toAbsolutePath().getParent();
    StorageConfig storage =
        m.optional("storage")
            .map(n -> storage(n, base))
            .orElse(StorageConfig.embedded(base.resolve("data")));
    Duration head = m.optional("head").map(this::positive).orElse(CollectorConfig.DEFAULT_HEAD);
    List<TokenGrant> tokens = new ArrayList<>();
    YamlNode tokensNode = m.required("tokens");
    List<YamlNode> tokenNodes = tokensNode.list();
    for (int i = 0; i < tokenNodes.size(); i++) {
      TokenGrant g = token(tokenNodes.get(i));
      for (int k = 0; k < tokens.size(); k++) {
        if (tokens.get(k).token().equals(g.token())) {
          // said by position only: the token itself is a secret
          throw tokenNodes.get(i).error("the same token as tokens[" + k + "]: each token once");
        }
      }
      tokens.add(g);
    }
    if (tokens.isEmpty()) {
      throw tokensNode.error("no tokens: ingest and API need at least one");
    }
    int maxQueued =
        m.optional("max_queued_samples")
            .map(n -> n.convert(Integer::parseInt))
            .orElse(CollectorConfig.DEFAULT_MAX_QUEUED_SAMPLES);
    List<Path> ruleFiles = new ArrayList<>();
    for (YamlNode f : m.optional("rule_files").map(YamlNode::list).orElse(List.of())) {
      Path p = base.resolve(f.string());
      if (!java.nio.file.Files.isReadable(p)) {
        throw f.error("cannot read rule file " + p);
      }
      ruleFiles.add(p);
    }
    List<Path> sloFiles = new ArrayList<>();
    for (YamlNode f : m.optional("slo_files").map(YamlNode::list).orElse(List.of())) {
      List<Path> found = files(base, f.string());
      if (found.isEmpty()) {
        throw f.error("no SLO file matches " + base.resolve(f.string()));
      }
      for (Path p : found) {
        if (!sloFiles.contains(p)) { // a file named twice (by name and by a glob) counts once
          sloFiles.add(p);
        }
      }
    }
    boolean builtinRulePack = m.optional("builtin_rule_pack").map(YamlNode::bool).orElse(true);
    Duration evaluationInterval =
        m.optional("evaluation_interval")
            .map(this::positive)
            .orElse(CollectorConfig.DEFAULT_EVALUATION_INTERVAL);
    AlertingConfig alerting =
        m.optional("alerting").map(this::alerting).orElse(AlertingConfig.NONE);
    QueryConfig query = m.optional("query").map(this::query).orElse(QueryConfig.DEFAULT);
    ReportsConfig reports =
        root.optional("reports").map(n -> reports(n, base)).orElse(ReportsConfig.NONE);
    try {
      return new CollectorConfig(
          listen,
          storage,
          head,
          tokens,
          maxQueued,
          ruleFiles,
          builtinRulePack,
          evaluationInterval,
          alerting,
          query,
          sloFiles,
          m.optional("builtin_slos").map(YamlNode::bool).orElse(true),
          reports,
          m.optional("own_metrics_interval")
              .map(YamlNode::duration)
              .orElse(CollectorConfig.DEFAULT_OWN_METRICS_INTERVAL),
          m.optional("limits")
              .map(n -> limits(n, IngestLimits.defaults(storage.retention())))
              .orElse(null),
          m.optional("web_config_file")
              .map(n -> io.tillwatch.web.WebConfig.load(base.resolve(n.string())))
              .orElse(null),
          remoteWrites(m.optional("remote_write"), storage),
          m.optional("cluster").map(n -> cluster(n, listen)),
          m.optional("events").map(this::events).orElse(EventsConfig.DEFAULT));
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  private EventsConfig events(YamlNode node) {
    YamlNode.Mapping m = node.mapping(EVENTS);
    Set<String> tenants = new java.util.TreeSet<>();
    for (YamlNode t :
        m.optional("maintenance_excludes_slos").map(YamlNode::list).orElse(List.of())) {
      String id = t.string();
      if (!id.equals(TokenGrant.ANY_TENANT) && !id.matches("[a-z0-9-]+")) {
        throw t.error("not a tenant id (or \"*\" for every tenant): '" + id + "'");
      }
      tenants.add(id);
    }
    return new EventsConfig(
        tenants,
        m.optional("release_guard").map(this::releaseGuard).orElse(ReleaseGuardConfig.DEFAULT));
  }

  private ReleaseGuardConfig releaseGuard(YamlNode node) {
    YamlNode.Mapping m = node.mapping(RELEASE_GUARD);
    ReleaseGuardConfig d = ReleaseGuardConfig.DEFAULT;
    try {
      return new ReleaseGuardConfig(
          m.optional("enabled").map(YamlNode::bool).orElse(d.enabled()),
          m.optional("window").map(YamlNode::duration).orElse(d.window()),
          m.optional("min_events").map(n -> n.convert(Integer::parseInt)).orElse(d.minEvents()),
          m.optional("p_value").map(n -> n.convert(Double::parseDouble)).orElse(d.pValue()),
          m.optional("min_drop").map(n -> n.convert(Double::parseDouble)).orElse(d.minDrop()),
          m.optional("min_share_rise")
              .map(n -> n.convert(Double::parseDouble))
              .orElse(d.minShareRise()),
          m.optional("min_backlog_rise")
              .map(n -> n.convert(Double::parseDouble))
              .orElse(d.minBacklogRise()));
    } catch (IllegalArgumentException e) {
      throw m.node().error("release_guard: " + e.getMessage());
    }
  }

  private List<RemoteWriteConfig> remoteWrites(Optional<YamlNode> node, StorageConfig storage) {
    Path dataDir = storage.dataDir();
    List<RemoteWriteConfig> out = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    storage.remote().ifPresent(r -> names.add(r.write().name()));
    for (YamlNode n : node.map(YamlNode::list).orElse(List.of())) {
      RemoteWriteConfig r = remoteWrite(n, dataDir);
      if (storage.remote().isPresent() && r.name().equals(RemoteStorageConfig.WRITE_NAME)) {
        throw n.error(
            "'"
                + r.name()
                + "' is the name of remote storage's write queue: give this entry another name");
      }
      if (!names.add(r.name())) {
        throw n.error("two remote_write entries are called '" + r.name() + "': give each a name");
      }
      out.add(r);
    }
    return out;
  }

  private RemoteWriteConfig remoteWrite(YamlNode node, Path dataDir) {
    YamlNode.Mapping m = node.mapping(REMOTE_WRITE);
    YamlNode urlNode = m.required("url");
    java.net.URI url = url(urlNode);
    String name =
        m.optional("name").map(YamlNode::string).orElse(RemoteWriteConfig.defaultName(url));
    return remoteWrite(m, url, name, dataDir);
  }

  /** An http(s) URL; {@code {account}} may stand in it. */
  private java.net.URI url(YamlNode node) {
    return node.convert(
        s -> {
          java.net.URI u =
              java.net.URI.create(
                  interpolation
                      .expand(s)
                      .replace("{account}", RemoteWriteConfig.ACCOUNT_PLACEHOLDER));
          if (u.getScheme() == null || u.getHost() == null) {
            throw new IllegalArgumentException(
                "'" + s + "' is not a URL (expected http://host:port/path)");
          }
          return u;
        });
  }

  /** A remote-write endpoint: {@code url}, and the rest of its settings from {@code m}. */
  private RemoteWriteConfig remoteWrite(
      YamlNode.Mapping m, java.net.URI url, String name, Path dataDir) {
    Map<String, String> accounts = new java.util.LinkedHashMap<>();
    m.optional("tenant_accounts")
        .ifPresent(n -> n.entries().forEach((k, v) -> accounts.put(k, v.string())));
    Map<String, String> headers = new java.util.LinkedHashMap<>();
    m.optional("headers").ifPresent(n -> n.entries().forEach((k, v) -> headers.put(k, v.secret())));
    Optional<YamlNode.Mapping> q = m.optional("queue").map(n -> n.mapping(REMOTE_QUEUE));
    try {
      return new RemoteWriteConfig(
          url,
          name,
          m.optional("tenant_header").map(YamlNode::string),
          accounts,
          headers,
          m.optional("timeout").map(this::positive).orElse(RemoteWriteConfig.DEFAULT_TIMEOUT),
          q.flatMap(x -> x.optional("shards"))
              .map(n -> n.convert(Integer::parseInt))
              .orElse(RemoteWriteConfig.DEFAULT_SHARDS),
          q.flatMap(x -> x.optional("max_samples_per_send"))
              .map(n -> n.convert(Integer::parseInt))
              .orElse(RemoteWriteConfig.DEFAULT_MAX_SAMPLES_PER_SEND),
          q.flatMap(x -> x.optional("capacity"))
              .map(n -> n.convert(io.tillwatch.model.ByteSizes::parse))
              .orElse(RemoteWriteConfig.DEFAULT_CAPACITY_BYTES),
          q.flatMap(x -> x.optional("dir"))
              .map(n -> n.convert(s -> dataDir.resolve(interpolation.expand(s))))
              .orElse(
                  dataDir
                      .resolve("remote-write")
                      .resolve(name.replaceAll("[^A-Za-z0-9._-]", "_"))));
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  private ClusterConfig cluster(YamlNode node, HostPort listen) {
    YamlNode.Mapping m = node.mapping(CLUSTER);
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "localhost";
    }
    String replica =
        m.optional("replica")
            .map(n -> interpolation.expand(n.string()))
            .orElse(host + ":" + listen.port());
    String address =
        m.optional("address")
            .map(n -> interpolation.expand(n.string()))
            .orElse(listen.host() + ":" + listen.port());
    try {
      return new ClusterConfig(
          replica,
          address,
          m.optional("shards")
              .map(n -> n.convert(Integer::parseInt))
              .orElse(ClusterConfig.DEFAULT_SHARDS),
          m.optional("lease_ttl").map(this::positive));
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  private ReportsConfig reports(YamlNode node, Path base) {
    YamlNode.Mapping m = node.mapping(REPORTS);
    return new ReportsConfig(m.optional("weekly").map(n -> weekly(n, base)));
  }

  private ReportsConfig.Weekly weekly(YamlNode node, Path base) {
    YamlNode.Mapping m = node.mapping(WEEKLY);
    Map.Entry<java.time.DayOfWeek, java.time.LocalTime> sendAt =
        m.optional("send_at")
            .map(n -> n.convert(s -> ReportsConfig.Weekly.parseSendAt(interpolation.expand(s))))
            .orElse(Map.entry(java.time.DayOfWeek.MONDAY, java.time.LocalTime.of(8, 0)));
    jakarta.mail.internet.InternetAddress from =
        m.required("from").convert(s -> SmtpConfig.address(interpolation.expand(s)));
    SmtpConfig smtp = smtp(m.required("smtp"), from, base);
    Map<String, List<String>> recipients = new LinkedHashMap<>();
    YamlNode recipientsNode = m.required("recipients");
    for (Map.Entry<String, YamlNode> e : recipientsNode.entries().entrySet()) {
      if (!TENANT.matcher(e.getKey()).matches() || e.getKey().equals("*")) {
        throw e.getValue().error("'" + e.getKey() + "' is not a tenant id or estate");
      }
      List<String> to = new ArrayList<>();
      for (YamlNode a : e.getValue().list()) {
        to.add(a.convert(s -> SmtpConfig.address(interpolation.expand(s)).getAddress()));
      }
      if (to.isEmpty()) {
        throw e.getValue().error("no recipients");
      }
      recipients.put(e.getKey(), to);
    }
    if (recipients.isEmpty()) {
      throw recipientsNode.error("no recipients: name a tenant's or the estate's addresses");
    }
    ReportBrand brand = m.optional("brand").map(n -> brand(n, base)).orElse(ReportBrand.DEFAULT);
    java.time.ZoneId estateZone =
        m.optional("estate_zone")
            .map(n -> n.convert(s -> java.time.ZoneId.of(interpolation.expand(s))))
            .orElse(java.time.ZoneOffset.UTC);
    return new ReportsConfig.Weekly(
        sendAt.getKey(), sendAt.getValue(), smtp, recipients, brand, estateZone);
  }

  private SmtpConfig smtp(YamlNode node, jakarta.mail.internet.InternetAddress from, Path base) {
    YamlNode.Mapping m = node.mapping(SMTP);
    YamlNode host = m.required("host");
    boolean implicitTls = m.optional("implicit_tls").map(YamlNode::bool).orElse(false);
    int port =
        m.optional("port")
            .map(n -> n.convert(s -> Integer.parseInt(interpolation.expand(s))))
            .orElse(implicitTls ? 465 : 587);
    if (m.optional("implicit_tls").isEmpty() && port == 465) {
      implicitTls = true; // SMTPS's port speaks TLS from the first byte
    }
    Optional<Path> ca =
        m.optional("ca_file")
            .map(
                n ->
                    n.convert(
                        s -> {
                          Path p = base.resolve(interpolation.expand(s));
                          if (!java.nio.file.Files.isReadable(p)) {
                            throw new IllegalArgumentException("cannot read " + p);
                          }
                          return p;
                        }));
    try {
      return new SmtpConfig(
          host.string(),
          port,
          m.optional("starttls")
              .map(n -> n.convert(s -> SmtpConfig.StartTls.parse(interpolation.expand(s))))
              .orElse(SmtpConfig.StartTls.REQUIRED),
          implicitTls,
          m.optional("user").map(YamlNode::string).filter(u -> !u.isEmpty()),
          Secret.of(m.optional("password").map(YamlNode::secret).orElse("")),
          ca,
          m.optional("insecure_skip_verify").map(YamlNode::bool).orElse(false),
          from,
          m.optional("timeout").map(this::positive).orElse(java.time.Duration.ofSeconds(30)));
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  private ReportBrand brand(YamlNode node, Path base) {
    YamlNode.Mapping m = node.mapping(BRAND);
    Optional<byte[]> logo =
        m.optional("logo")
            .map(
                n ->
                    n.convert(
                        s -> {
                          String v = interpolation.expand(s);
                          Path p = base.resolve(v.startsWith("file:") ? v.substring(5) : v);
                          try {
                            return java.nio.file.Files.readAllBytes(p);
                          } catch (java.io.IOException e) {
                            throw new IllegalArgumentException("cannot read the logo " + p);
                          }
                        }));
    return new ReportBrand(m.optional("name").map(YamlNode::string).orElse("tillwatch"), logo);
  }

  /**
   * A file, or the readable files a glob ({@code slos/*.yml}) matches in its directory, relative to
   * {@code base}, in name order.
   */
  private static List<Path> files(Path base, String pattern) {
    Path p = base.resolve(pattern);
    if (!pattern.contains("*") && !pattern.contains("?") && !pattern.contains("[")) {
      return java.nio.file.Files.isReadable(p) ? List.of(p) : List.of();
    }
    Path dir = p.getParent();
    java.nio.file.PathMatcher m =
        dir.getFileSystem().getPathMatcher("glob:" + p.getFileName().toString());
    try (var list = java.nio.file.Files.list(dir)) {
      return list.filter(f -> m.matches(f.getFileName()) && java.nio.file.Files.isReadable(f))
          .sorted()
          .toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private QueryConfig query(YamlNode node) {
    YamlNode.Mapping m = node.mapping(QUERY);
    QueryConfig d = QueryConfig.DEFAULT;
    try {
      int concurrency =
          m.optional("max_concurrency")
              .map(n -> n.convert(Integer::parseInt))
              .orElse(d.maxConcurrency());
      return new QueryConfig(
          m.optional("timeout").map(this::positive).orElse(d.timeout()),
          m.optional("max_samples").map(n -> n.convert(Long::parseLong)).orElse(d.maxSamples()),
          concurrency,
          m.optional("max_parallel")
              .map(n -> n.convert(Integer::parseInt))
              .orElse(Math.min(concurrency, QueryConfig.DEFAULT_MAX_PARALLEL)),
          m.optional("sample_cache_size")
              .map(n -> n.convert(io.tillwatch.model.ByteSizes::parse))
              .orElse(QueryConfig.DEFAULT_SAMPLE_CACHE_BYTES));
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  private AlertingConfig alerting(YamlNode node) {
    YamlNode.Mapping m = node.mapping(ALERTING);
    List<java.net.URI> urls = new ArrayList<>();
    for (YamlNode u : m.optional("alertmanagers").map(YamlNode::list).orElse(List.of())) {
      urls.add(
          u.convert(
              s -> {
                java.net.URI uri = java.net.URI.create(interpolation.expand(s));
                if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                  throw new IllegalArgumentException(
                      "an Alertmanager URL is http:// or https://, got " + uri);
                }
                return uri;
              }));
    }
    return new AlertingConfig(
        urls,
        m.optional("resend_delay").map(this::positive).orElse(Duration.ofMinutes(1)),
        m.optional("external_url").map(YamlNode::string).orElse(""),
        m.optional("dashboard_url").map(YamlNode::string).orElse(""),
        m.optional("queue_capacity").map(n -> n.convert(Integer::parseInt)).orElse(10_000),
        m.optional("runbook_base_url").map(YamlNode::string).orElse(""));
  }

  private StorageConfig storage(YamlNode node, Path base) {
    YamlNode.Mapping m = node.mapping(STORAGE);
    Optional<String> url =
        m.optional("url")
            .map(
                n ->
                    n.convert(
                        s -> {
                          String u = interpolation.expand(s);
                          if (!u.startsWith("jdbc:postgresql:")) {
                            throw new IllegalArgumentException(
                                "'"
                                    + u
                                    + "' is not a PostgreSQL JDBC URL"
                                    + " (expected jdbc:postgresql://host:port/database)");
                          }
                          return u;
                        }));
    String user = m.optional("user").map(YamlNode::string).orElse("tillwatch");
    Secret password = Secret.of(m.optional("password").map(YamlNode::secret).orElse(""));
    YamlNode retentionNode = m.optional("retention").orElse(null);
    Duration retention =
        retentionNode == null ? StorageConfig.DEFAULT_RETENTION : retentionNode.duration();
    Path dataDir =
        m.optional("data_dir")
            .map(n -> n.convert(s -> base.resolve(interpolation.expand(s))))
            .orElse(base.resolve("data"));
    StorageConfig.Layout layout =
        m.optional("layout")
            .map(
                n ->
                    n.convert(
                        v -> {
                          for (StorageConfig.Layout l : StorageConfig.Layout.values()) {
                            if (l.key().equals(v)) {
                              return l;
                            }
                          }
                          throw new IllegalArgumentException(
                              "'" + v + "' is not a layout (auto, plain or timescaledb)");
                        }))
            .orElse(StorageConfig.Layout.AUTO);
    StorageConfig out;
    try {
      out = new StorageConfig(url, user, password, retention, dataDir, layout);
    } catch (IllegalArgumentException e) {
      throw (retentionNode != null ? retentionNode : m.node()).error(e.getMessage());
    }
    YamlNode typeNode = m.optional("type").orElse(null);
    String type = typeNode == null ? "postgresql" : typeNode.string();
    switch (type) {
      case "postgresql" -> {
        for (String key : REMOTE_STORAGE_ONLY) {
          if (m.optional(key).isPresent()) {
            throw m.optional(key)
                .get()
                .error("'" + key + "' is a setting of remote storage: add type: remote");
          }
        }
        return out;
      }
      case "remote" -> {
        java.net.URI query = url(m.required("query_url"));
        java.net.URI write = url(m.required("write_url"));
        RemoteWriteConfig w = remoteWrite(m, write, RemoteStorageConfig.WRITE_NAME, dataDir);
        try {
          return out.withRemote(new RemoteStorageConfig(query, w));
        } catch (IllegalArgumentException e) {
          throw m.required("query_url").error(e.getMessage());
        }
      }
      default ->
          throw typeNode.error("'" + type + "' is not a storage type (postgresql or remote)");
    }
  }

  private TokenGrant token(YamlNode node) {
    YamlNode.Mapping m = node.mapping(TOKEN);
    YamlNode tokenNode = m.required("token");
    Secret token = Secret.of(tokenNode.secret());
    if (token.isEmpty()) {
      throw tokenNode.error("the token is empty (is its environment variable set?)");
    }
    if (token.reveal().length() < MIN_TOKEN_LENGTH) {
      throw tokenNode.error(
          "a token must have at least "
              + MIN_TOKEN_LENGTH
              + " characters (openssl rand -hex 16 makes one)");
    }
    Set<String> tenants = new LinkedHashSet<>();
    for (YamlNode t : m.required("tenants").list()) {
      String id = t.string();
      if (!TENANT.matcher(id).matches()) {
        throw t.error("'" + id + "' is not a tenant id or \"*\"");
      }
      tenants.add(id);
    }
    Optional<QueryLimits> limits = m.optional("query").map(this::tokenQuery);
    try {
      return new TokenGrant(token, tenants, limits);
    } catch (IllegalArgumentException e) {
      throw m.required("tenants").error(e.getMessage());
    }
  }

  /** A tenant's own query limits; what it leaves out is the collector's. */
  private QueryLimits tokenQuery(YamlNode node) {
    YamlNode.Mapping m = node.mapping(TOKEN_QUERY);
    QueryLimits d = QueryConfig.DEFAULT.limits();
    try {
      return new QueryLimits(
          m.optional("max_samples").map(n -> n.convert(Long::parseLong)).orElse(d.maxSamples()),
          m.optional("timeout").map(this::positive).orElse(d.timeout()));
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  /** {@code limits}: the keys given replace {@code base}'s; each tenant's from these. */
  private IngestLimits limits(YamlNode node, IngestLimits base) {
    YamlNode.Mapping m = node.mapping(LIMITS);
    IngestLimits all = limitValues(m, base);
    Map<String, IngestLimits> tenants = new java.util.LinkedHashMap<>();
    m.optional("tenants")
        .ifPresent(
            t ->
                t.entries()
                    .forEach((id, n) -> tenants.put(id, limitValues(n.mapping(LIMIT_KEYS), all))));
    try {
      return new IngestLimits(
          all.maxSeriesPerTenant(),
          all.maxLabelNamesPerSeries(),
          all.maxLabelNameLength(),
          all.maxLabelValueLength(),
          all.maxSamplesPerRequest(),
          all.maxHistogramBuckets(),
          all.outOfOrderWindow(),
          all.creationGracePeriod(),
          tenants);
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  private IngestLimits limitValues(YamlNode.Mapping m, IngestLimits d) {
    try {
      return new IngestLimits(
          count(m, "max_series_per_tenant", d.maxSeriesPerTenant()),
          count(m, "max_label_names_per_series", d.maxLabelNamesPerSeries()),
          count(m, "max_label_name_length", d.maxLabelNameLength()),
          count(m, "max_label_value_length", d.maxLabelValueLength()),
          count(m, "max_samples_per_request", d.maxSamplesPerRequest()),
          count(m, "max_histogram_buckets", d.maxHistogramBuckets()),
          m.optional("out_of_order_window").map(this::positive).orElse(d.outOfOrderWindow()),
          m.optional("creation_grace_period")
              .map(YamlNode::duration)
              .orElse(d.creationGracePeriod()),
          Map.of());
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  /** A whole number of at least 1, or {@code otherwise} when absent. */
  private static int count(YamlNode.Mapping m, String key, int otherwise) {
    return m.optional(key)
        .map(
            n -> {
              int v = n.convert(Integer::parseInt);
              if (v < 1) {
                throw n.error("must be at least 1");
              }
              return v;
            })
        .orElse(otherwise);
  }

  private Duration positive(YamlNode node) {
    Duration d = node.duration();
    if (d.isZero()) {
      throw node.error("must be longer than 0s");
    }
    return d;
  }
}
