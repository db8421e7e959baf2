package io.tillwatch.agent.config;

import io.tillwatch.agent.config.BackupTargetConfig.Tool;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.config.ConfigException;
import io.tillwatch.config.Interpolation;
import io.tillwatch.config.YamlNode;
import io.tillwatch.model.ByteSizes;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the estate file (agent settings, tenants and their targets) into {@link EstateConfig}.
 * Every error names file, line, column and field.
 */
public final class EstateConfigLoader {
  private static final Pattern TENANT_ID = Pattern.compile("[a-z0-9-]+");
  private static final Set<String> ROOT = Set.of("agent", "tenants");
  private static final Set<String> AGENT = Set.of("listen", "interval", "timeout", "push");
  private static final Set<String> PUSH = Set.of("url", "token", "buffer", "buffer_dir");
  private static final Set<String> TENANT =
      Set.of("id", "name", "tier", "timezone", "business_hours", "targets");
  private static final Set<String> POSTGRES =
      Set.of("type", "name", "url", "user", "password", "heartbeat", "interval", "primary");
  private static final Set<String> REDIS =
      Set.of("type", "name", "url", "user", "password", "interval");

  private static final Set<String> PGBACKREST =
      Set.of("type", "name", "stanza", "command", "config", "info_json", "interval");
  private static final Set<String> WALG =
      Set.of("type", "name", "command", "backup_list_json", "interval");
  private static final Set<String> BACKUP_STATUS = Set.of("type", "name", "path", "interval");
  private static final Set<String> TRAEFIK =
      Set.of("type", "name", "url", "services", "hosts", "access_log", "interval");
  private static final Set<String> ODOO =
      Set.of("type", "name", "url", "user", "password", "stuck_started_after", "interval");

  /** Each target type's keys. */
  private static final Map<String, Set<String>> KEYS =
      Map.of(
          PostgresTargetConfig.TYPE,
          POSTGRES,
          RedisTargetConfig.TYPE,
          REDIS,
          Tool.PGBACKREST.type(),
          PGBACKREST,
          Tool.WALG.type(),
          WALG,
          Tool.STATUS_FILE.type(),
          BACKUP_STATUS,
          OdooTargetConfig.TYPE,
          ODOO,
          TraefikTargetConfig.TYPE,
          TRAEFIK);

  /** Keys of every target type; the first pass over a target reads only {@code type}. */
  private static final Set<String> TARGET_KEYS =
      KEYS.values().stream().flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

  private final Interpolation interpolation;

  /**
   * @param interpolation resolves {@code ${ENV}} and {@code file:} secrets
   */
  public EstateConfigLoader(Interpolation interpolation) {
    this.interpolation = interpolation;
  }

  /** Loads and checks the file; throws {@link ConfigException} at the first error. */
  public EstateConfig load(Path file) {
    YamlNode.Mapping root = YamlNode.parse(file, interpolation).mapping(ROOT);
    AgentConfig agent = root.optional("agent").map(this::agent).orElse(AgentConfig.DEFAULTS);
    Map<String, YamlNode> tenantIds = new HashMap<>();
    Map<String, YamlNode> targetNames = new HashMap<>();
    Map<String, YamlNode> primaries = new HashMap<>();
    List<TenantConfig> tenants = new ArrayList<>();
    for (YamlNode t : root.required("tenants").list()) {
      tenants.add(tenant(t, tenantIds, targetNames, primaries));
    }
    primaries.forEach(
        (primary, at) -> {
          if (!targetNames.containsKey(primary)) {
            throw at.error("no postgres target named '" + primary + "' in this file");
          }
        });
    try {
      return new EstateConfig(agent, tenants);
    } catch (IllegalArgumentException e) {
      throw root.node().error(e.getMessage());
    }
  }

  private AgentConfig agent(YamlNode node) {
    YamlNode.Mapping m = node.mapping(AGENT);
    AgentConfig d = AgentConfig.DEFAULTS;
    HostPort listen =
        m.optional("listen")
            .map(n -> n.convert(s -> HostPort.parse(interpolation.expand(s))))
            .orElse(d.listen());
    Duration interval = m.optional("interval").map(this::positive).orElse(d.interval());
    Duration timeout = m.optional("timeout").map(this::positive).orElse(d.timeout());
    if (timeout.compareTo(interval) > 0) {
      throw m.required("timeout")
          .error("the timeout (" + timeout + ") is longer than the interval (" + interval + ")");
    }
    Optional<PushConfig> push = m.optional("push").map(this::push);
    return new AgentConfig(listen, interval, timeout, push);
  }

  private PushConfig push(YamlNode node) {
    YamlNode.Mapping m = node.mapping(PUSH);
    YamlNode urlNode = m.required("url");
    URI url = urlNode.convert(s -> URI.create(interpolation.expand(s)));
    Secret token = Secret.of(m.required("token").secret());
    long buffer =
        m.optional("buffer")
            .map(n -> n.convert(s -> ByteSizes.parse(interpolation.expand(s))))
            .orElse(PushConfig.DEFAULT_BUFFER_BYTES);
    Path dir =
        m.optional("buffer_dir")
            .map(n -> n.convert(s -> Path.of(interpolation.expand(s))))
            .orElse(PushConfig.DEFAULT_BUFFER_DIR);
    try {
      return new PushConfig(url, token, buffer, dir);
    } catch (IllegalArgumentException e) {
      throw (e.getMessage().contains("buffer") ? m.required("buffer") : urlNode)
          .error(e.getMessage());
    }
  }

  private Duration positive(YamlNode node) {
    Duration d = node.duration();
    if (d.isZero()) {
      throw node.error("must be longer than 0s");
    }
    return d;
  }

  private TenantConfig tenant(
      YamlNode node,
      Map<String, YamlNode> tenantIds,
      Map<String, YamlNode> targetNames,
      Map<String, YamlNode> primaries) {
    YamlNode.Mapping m = node.mapping(TENANT);
    YamlNode idNode = m.required("id");
    String id = idNode.string();
    if (!TENANT_ID.matcher(id).matches()) {
      throw idNode.error("'" + id + "' is not a tenant id: use lower-case letters, digits and '-'");
    }
    YamlNode first = tenantIds.putIfAbsent(id, idNode);
    if (first != null) {
      throw idNode.error("duplicate tenant id '" + id + "' (first at " + first.path() + ")");
    }
    String name = m.optional("name").map(YamlNode::string).orElse(id);
    Tier tier = m.required("tier").convert(Tier::parse);
    ZoneId zone = m.required("timezone").convert(EstateConfigLoader::zone);
    BusinessHours hours =
        m.optional("business_hours")
            .map(n -> n.convert(BusinessHours::parse))
            .orElse(BusinessHours.always());
    Tenant tenant = new Tenant(id, name, tier, zone, hours);
    List<TargetConfig> targets = new ArrayList<>();
    for (YamlNode t : m.required("targets").list()) {
      targets.add(target(t, targetNames, primaries));
    }
    return new TenantConfig(tenant, targets);
  }

  private String jdbcUrl(String text) {
    String url = interpolation.expand(text);
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "'"
              + url
              + "' is not a PostgreSQL JDBC URL (expected jdbc:postgresql://host:port/database)");
    }
    return url;
  }

  private static ZoneId zone(String text) {
    try {
      return ZoneId.of(text);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "unknown time zone '" + text + "' (expected an IANA name such as Europe/Berlin)", e);
    }
  }

  private TargetConfig target(
      YamlNode node, Map<String, YamlNode> targetNames, Map<String, YamlNode> primaries) {
    YamlNode typeNode = node.mapping(TARGET_KEYS).required("type");
    String type = typeNode.string();
    Set<String> keys = KEYS.get(type);
    if (keys == null) {
      throw typeNode.error(
          "unknown target type '"
              + type
              + "' (known: "
              + String.join(", ", new TreeSet<>(KEYS.keySet()))
              + ")");
    }
    YamlNode.Mapping m = node.mapping(keys);
    YamlNode nameNode = m.required("name");
    String name = nameNode.string();
    if (name.isBlank()) {
      throw nameNode.error("is empty");
    }
    YamlNode first = targetNames.putIfAbsent(name, nameNode);
    if (first != null) {
      throw nameNode.error("duplicate target name '" + name + "' (first at " + first.path() + ")");
    }
    try {
      return switch (type) {
        case PostgresTargetConfig.TYPE -> postgres(m, name, primaries);
        case RedisTargetConfig.TYPE -> redis(m, name);
        case "pgbackrest" -> pgbackrest(m, name);
        case TraefikTargetConfig.TYPE -> traefik(m, name);
        case OdooTargetConfig.TYPE ->
            new OdooTargetConfig(
                name,
                m.required("url").convert(this::jdbcUrl),
                m.required("user").string(),
                secret(m),
                m.optional("stuck_started_after")
                    .map(this::positive)
                    .orElse(OdooTargetConfig.DEFAULT_STUCK_STARTED_AFTER),
                m.optional("interval").map(this::positive));
        case "walg" -> walg(m, name);
        case "backup_status" ->
            new BackupTargetConfig(
                name,
                Tool.STATUS_FILE,
                List.of(),
                Optional.of(m.required("path").convert(this::path)),
                Optional.empty(),
                m.optional("interval").map(this::positive));
        default -> throw typeNode.error("unknown target type '" + type + "'");
      };
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }

  private PostgresTargetConfig postgres(
      YamlNode.Mapping m, String name, Map<String, YamlNode> primaries) {
    Optional<String> primary = m.optional("primary").map(YamlNode::string);
    m.optional("primary").ifPresent(p -> primaries.put(p.string(), p));
    return new PostgresTargetConfig(
        name,
        m.required("url").convert(this::jdbcUrl),
        m.required("user").string(),
        secret(m),
        m.optional("heartbeat").map(YamlNode::bool).orElse(false),
        m.optional("interval").map(this::positive),
        primary);
  }

  private RedisTargetConfig redis(YamlNode.Mapping m, String name) {
    return new RedisTargetConfig(
        name,
        m.required("url").convert(s -> RedisTargetConfig.parseUrl(interpolation.expand(s))),
        m.optional("user").map(YamlNode::string),
        secret(m),
        m.optional("interval").map(this::positive));
  }

  private BackupTargetConfig pgbackrest(YamlNode.Mapping m, String name) {
    String stanza = m.required("stanza").string();
    Optional<Path> file = m.optional("info_json").map(n -> n.convert(this::path));
    List<String> command = List.of();
    if (file.isEmpty()) {
      command =
          new ArrayList<>(m.optional("command").map(this::words).orElse(List.of("pgbackrest")));
      Optional<Path> config = m.optional("config").map(n -> n.convert(this::path));
      if (config.isPresent()) {
        command.add("--config=" + config.get());
      }
      command.addAll(List.of("--stanza=" + stanza, "--output=json", "info"));
    } else if (m.optional("command").isPresent()) {
      throw m.required("command").error("give either command (and config) or info_json, not both");
    }
    return new BackupTargetConfig(
        name,
        Tool.PGBACKREST,
        command,
        file,
        Optional.of(stanza),
        m.optional("interval").map(this::positive));
  }

  private BackupTargetConfig walg(YamlNode.Mapping m, String name) {
    Optional<Path> file = m.optional("backup_list_json").map(n -> n.convert(this::path));
    List<String> command = List.of();
    if (file.isEmpty()) {
      command = new ArrayList<>(m.optional("command").map(this::words).orElse(List.of("wal-g")));
      command.addAll(List.of("backup-list", "--json", "--detail"));
    } else if (m.optional("command").isPresent()) {
      throw m.required("command").error("give either command or backup_list_json, not both");
    }
    return new BackupTargetConfig(
        name,
        Tool.WALG,
        command,
        file,
        Optional.empty(),
        m.optional("interval").map(this::positive));
  }

  private TraefikTargetConfig traefik(YamlNode.Mapping m, String name) {
    URI url = m.required("url").convert(s -> httpUrl(interpolation.expand(s)));
    List<java.util.regex.Pattern> services = new ArrayList<>();
    for (YamlNode n : m.required("services").list()) {
      services.add(n.convert(TraefikTargetConfig::service));
    }
    List<String> hosts =
        m.optional("hosts")
            .map(n -> n.list().stream().map(YamlNode::string).toList())
            .orElse(List.of());
    return new TraefikTargetConfig(
        name,
        url,
        services,
        hosts,
        m.optional("access_log").map(n -> n.convert(this::path)),
        m.optional("interval").map(this::positive));
  }

  private static URI httpUrl(String text) {
    URI u = URI.create(text);
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new IllegalArgumentException("'" + text + "' is not an http(s) URL");
    }
    return u;
  }

  /** A command: a YAML list of words, or one string split at spaces. */
  private List<String> words(YamlNode node) {
    List<String> words;
    try {
      words = node.list().stream().map(YamlNode::string).toList();
    } catch (ConfigException notAList) {
      words = List.of(node.string().trim().split("\\s+"));
    }
    if (words.isEmpty() || words.get(0).isBlank()) {
      throw node.error("the command is empty");
    }
    return words;
  }

  private Path path(String text) {
    return Path.of(interpolation.expand(text));
  }

  private static Secret secret(YamlNode.Mapping m) {
    return Secret.of(m.optional("password").map(YamlNode::secret).orElse(""));
  }
}
