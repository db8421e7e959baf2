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
  private static final Set<String> ROOT = Set.of("agent", "tenants", "tenants_dir");
  private static final Set<String> AGENT =
      Set.of("listen", "interval", "timeout", "push", "web_config_file");
  private static final Set<String> PUSH =
      Set.of("url", "token", "buffer", "buffer_dir", "own_metrics", "insecure", "ca_file");
  private static final Set<String> TENANT =
      Set.of("id", "name", "tier", "timezone", "business_hours", "stores", "targets");
  private static final Set<String> STORE = Set.of("business_hours", "timezone");

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

  /**
   * Loads and checks the file; throws {@link ConfigException} at the first error. The files of
   * {@code tenants_dir} are not read here: {@link #loadTenantFiles} reads them, each on its own.
   */
  public EstateConfig load(Path file) {
    YamlNode.Mapping root = YamlNode.parse(file, interpolation).mapping(ROOT);
    Path base = file.toAbsolutePath().getParent();
    AgentConfig agent =
        root.optional("agent").map(n -> agent(n, base)).orElse(AgentConfig.DEFAULTS);
    Optional<Path> tenantsDir =
        root.optional("tenants_dir").map(n -> base.resolve(interpolation.expand(n.string())));
    Map<String, YamlNode> tenantIds = new HashMap<>();
    Map<String, YamlNode> targetNames = new HashMap<>();
    Map<String, YamlNode> primaries = new HashMap<>();
    List<TenantConfig> tenants = new ArrayList<>();
    List<YamlNode> entries =
        tenantsDir.isPresent()
            ? root.optional("tenants").map(YamlNode::list).orElse(List.of())
            : root.required("tenants").list();
    for (YamlNode t : entries) {
      tenants.add(tenant(t, tenantIds, targetNames, primaries));
    }
    checkPrimaries(primaries, targetNames.keySet());
    try {
      return new EstateConfig(agent, tenants, tenantsDir);
    } catch (IllegalArgumentException e) {
      throw root.node().error(e.getMessage());
    }
  }

  private static void checkPrimaries(Map<String, YamlNode> primaries, Set<String> names) {
    primaries.forEach(
        (primary, at) -> {
          if (!names.contains(primary)) {
            throw at.error("no postgres target named '" + primary + "' in this file");
          }
        });
  }

  /** The tenants of a tenants directory that are valid, by file, and why each other file is not. */
  public record TenantFiles(Map<Path, TenantConfig> valid, Map<Path, ConfigException> broken) {
    public TenantFiles {
      valid = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(valid));
      broken = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(broken));
    }

    /** The valid tenants, in file-name order. */
    public List<TenantConfig> tenants() {
      return List.copyOf(valid.values());
    }
  }

  /**
   * Reads every {@code *.yaml} and {@code *.yml} file of {@code estate}'s tenants directory, in
   * name order, each the shape of one {@code tenants:} entry and checked on its own: a broken file
   * (or one whose tenant id or target names another file or the estate file already uses) is
   * reported with its position and left out; the others are read.
   */
  public TenantFiles loadTenantFiles(EstateConfig estate) {
    if (estate.tenantsDir().isEmpty()) {
      return new TenantFiles(Map.of(), Map.of());
    }
    Path dir = estate.tenantsDir().get();
    Set<String> ids = new HashSet<>();
    Set<String> names = new HashSet<>();
    for (TenantConfig t : estate.tenants()) {
      ids.add(t.tenant().id());
      t.targets().forEach(x -> names.add(x.name()));
    }
    List<Path> files;
    try (var list = java.nio.file.Files.list(dir)) {
      files =
          list.filter(
                  f -> {
                    String n = f.getFileName().toString();
                    return (n.endsWith(".yaml") || n.endsWith(".yml")) && !n.startsWith(".");
                  })
              .sorted()
              .toList();
    } catch (java.io.IOException e) {
      throw new ConfigException(
          dir, 0, 0, "tenants_dir", "cannot read the directory: " + e.getMessage());
    }
    Map<Path, TenantConfig> tenants = new HashMap<>();
    Map<Path, ConfigException> broken = new HashMap<>();
    for (Path f : files) {
      try {
        Map<String, YamlNode> tenantIds = new HashMap<>();
        Map<String, YamlNode> targetNames = new HashMap<>();
        Map<String, YamlNode> primaries = new HashMap<>();
        YamlNode root = YamlNode.parse(f, interpolation);
        TenantConfig t = tenant(root, tenantIds, targetNames, primaries);
        YamlNode.Mapping m = root.mapping(TENANT);
        if (ids.contains(t.tenant().id())) {
          throw m.required("id")
              .error(
                  "tenant '"
                      + t.tenant().id()
                      + "' is defined already (estate file or an earlier file)");
        }
        for (var e : targetNames.entrySet()) {
          if (names.contains(e.getKey())) {
            throw e.getValue()
                .error(
                    "target name '"
                        + e.getKey()
                        + "' is used already (estate file or an earlier file)");
          }
        }
        Set<String> known = new HashSet<>(names);
        known.addAll(targetNames.keySet());
        checkPrimaries(primaries, known);
        ids.add(t.tenant().id());
        names.addAll(targetNames.keySet());
        tenants.put(f, t);
      } catch (ConfigException e) {
        broken.put(f, e);
      }
    }
    return new TenantFiles(tenants, broken);
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
    StoreHours storeHours = storeHours(m, zone, hours);
    List<TargetConfig> targets = new ArrayList<>();
    for (YamlNode t : m.required("targets").list()) {
      TargetConfig target = target(t, targetNames, primaries);
      if (target instanceof OdooTargetConfig o && o.stores().isPresent()) {
        target = o.withStores(o.stores().get().withHours(storeHours));
      }
      targets.add(target);
    }
    return new TenantConfig(tenant, targets);
  }

  /**
   * The tenant's {@code stores:}: a store's own {@code business_hours} and {@code timezone}, each
   * the tenant's when not given.
   */
  private static StoreHours storeHours(YamlNode.Mapping tenant, ZoneId zone, BusinessHours hours) {
    Map<String, StoreHours.Store> stores = new java.util.LinkedHashMap<>();
    tenant
        .optional("stores")
        .ifPresent(
            n ->
                n.entries()
                    .forEach(
                        (store, spec) -> {
                          YamlNode.Mapping s = spec.mapping(STORE);
                          stores.put(
                              store,
                              new StoreHours.Store(
                                  s.optional("timezone")
                                      .map(z -> z.convert(EstateConfigLoader::zone))
                                      .orElse(zone),
                                  s.optional("business_hours")
                                      .map(b -> b.convert(BusinessHours::parse))
                                      .orElse(hours)));
                        }));
    return new StoreHours(zone, hours, stores);
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
