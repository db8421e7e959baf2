package io.tillwatch.agent.config;

import io.tillwatch.agent.TargetType;
import io.tillwatch.agent.TargetTypes;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads the estate file (agent settings, tenants and their targets) into {@link EstateConfig}.
 * Every error names file, line, column and field.
 */
public final class EstateConfigLoader {
  private static final Pattern TENANT_ID = Pattern.compile("[a-z0-9-]+");
  private static final Set<String> ROOT = Set.of("agent", "tenants");
  private static final Set<String> AGENT =
      Set.of("listen", "interval", "timeout", "push", "web_config_file");
  private static final Set<String> PUSH =
      Set.of("url", "token", "buffer", "buffer_dir", "own_metrics", "insecure", "ca_file");
  private static final Set<String> TENANT =
      Set.of("id", "name", "tier", "timezone", "business_hours", "targets");

  /** Keys every target entry may have; its type adds its own. */
  private static final Set<String> COMMON_TARGET_KEYS = Set.of("type", "name", "interval");

  /** Keys of every target type; the first pass over a target reads only {@code type}. */
  private static final Set<String> TARGET_KEYS = targetKeys();

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
    Path base = file.toAbsolutePath().getParent();
    AgentConfig agent =
        root.optional("agent").map(n -> agent(n, base)).orElse(AgentConfig.DEFAULTS);
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

  private AgentConfig agent(YamlNode node, Path base) {
    YamlNode.Mapping m = node.mapping(AGENT);
    AgentConfig d = AgentConfig.DEFAULTS;
    HostPort listen =
        m.optional("listen")
            .map(n -> n.convert(s -> HostPort.parse(interpolation.expand(s))))
            .orElse(d.listen());
    Duration interval = m.optional("interval").map(TargetEntry::positive).orElse(d.interval());
    Duration timeout = m.optional("timeout").map(TargetEntry::positive).orElse(d.timeout());
    if (timeout.compareTo(interval) > 0) {
      throw m.required("timeout")
          .error("the timeout (" + timeout + ") is longer than the interval (" + interval + ")");
    }
    Optional<PushConfig> push = m.optional("push").map(this::push);
    io.tillwatch.web.WebConfig web =
        m.optional("web_config_file")
            .map(n -> io.tillwatch.web.WebConfig.load(base.resolve(n.string())))
            .orElse(io.tillwatch.web.WebConfig.NONE);
    return new AgentConfig(listen, interval, timeout, push, web);
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
      return new PushConfig(
          url,
          token,
          buffer,
          dir,
          m.optional("own_metrics").map(YamlNode::bool).orElse(false),
          m.optional("insecure").map(YamlNode::bool).orElse(false),
          m.optional("ca_file").map(n -> n.convert(s -> Path.of(interpolation.expand(s)))));
    } catch (IllegalArgumentException e) {
      throw (e.getMessage().contains("buffer") ? m.required("buffer") : urlNode)
          .error(e.getMessage());
    }
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
    if (id.equals(Tenant.PLATFORM)) {
      throw idNode.error(
          "'"
              + id
              + "' is reserved for tillwatch's own series (the agents', the collector's and"
              + " estate-wide ones): name the tenant otherwise");
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

  private static ZoneId zone(String text) {
    try {
      return ZoneId.of(text);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "unknown time zone '" + text + "' (expected an IANA name such as Europe/Berlin)", e);
    }
  }

  private static Set<String> targetKeys() {
    Set<String> keys = new HashSet<>(COMMON_TARGET_KEYS);
    TargetTypes.all().forEach(t -> keys.addAll(t.keys()));
    return Set.copyOf(keys);
  }

  private TargetConfig target(
      YamlNode node, Map<String, YamlNode> targetNames, Map<String, YamlNode> primaries) {
    YamlNode typeNode = node.mapping(TARGET_KEYS).required("type");
    String typeName = typeNode.string();
    TargetType<?> type =
        TargetTypes.named(typeName)
            .orElseThrow(
                () ->
                    typeNode.error(
                        "unknown target type '"
                            + typeName
                            + "' (known: "
                            + String.join(
                                ", ",
                                new TreeSet<>(
                                    TargetTypes.all().stream().map(TargetType::name).toList()))
                            + ")"));
    Set<String> keys = new HashSet<>(COMMON_TARGET_KEYS);
    keys.addAll(type.keys());
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
      return type.read(new TargetEntry(m, name, interpolation, primaries));
    } catch (IllegalArgumentException e) {
      throw m.node().error(e.getMessage());
    }
  }
}
