package io.tillwatch.rules;

import io.tillwatch.config.FileReader;
import io.tillwatch.config.Interpolation;
import io.tillwatch.config.YamlNode;
import io.tillwatch.model.Durations;
import io.tillwatch.model.Labels;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.PromqlException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads rule files in Prometheus's shape ({@code groups: - name, interval, rules: - alert|record,
 * expr, for, keep_firing_for, labels, annotations}) plus the business fields {@code risk}, {@code
 * impact}, {@code during} and {@code tenants}. Errors name file, line, column and field; an
 * expression's error also its position in the expression.
 */
public final class RuleFileLoader {
  private static final Set<String> ROOT = Set.of("groups");
  private static final Set<String> GROUP = Set.of("name", "interval", "rules", "limit");
  private static final Set<String> RULE =
      Set.of(
          "alert",
          "record",
          "expr",
          "for",
          "keep_firing_for",
          "labels",
          "annotations",
          "risk",
          "impact",
          "during",
          "tenants");
  private static final Set<String> TENANT_FIELDS = Set.of("tier", "id");

  private final Interpolation none;

  /**
   * @param files reads the rule files named to {@link #load(Path)}
   */
  public RuleFileLoader(FileReader files) {
    this.none = Interpolation.withoutEnvironment(files);
  }

  /** A loader for text only ({@link #load(Path, String)}, {@link #loadBuiltin()}). */
  public static RuleFileLoader ofText() {
    return new RuleFileLoader(
        file -> {
          throw new java.io.IOException("no files are read here");
        });
  }

  /** The groups of one file. */
  public List<RuleGroup> load(Path file) {
    return groups(YamlNode.parse(file, none));
  }

  /** The groups of the built-in rule pack ({@link RulePacks#builtin()}). */
  public List<RuleGroup> loadBuiltin() {
    return load(Path.of(RulePacks.BUILTIN_NAME), RulePacks.builtin());
  }

  /** The groups of rule-file text; {@code name} names it in errors. */
  public List<RuleGroup> load(Path name, String text) {
    return groups(YamlNode.parse(name, text, none));
  }

  private List<RuleGroup> groups(YamlNode file) {
    YamlNode.Mapping root = file.mapping(ROOT);
    List<RuleGroup> groups = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode g : root.required("groups").list()) {
      YamlNode.Mapping m = g.mapping(GROUP);
      YamlNode nameNode = m.required("name");
      String name = nameNode.raw();
      if (name.isBlank()) {
        throw nameNode.error("group name must not be empty");
      }
      if (!names.add(name)) {
        throw nameNode.error("groupname: \"" + name + "\" is repeated in the same file");
      }
      Optional<Duration> interval = m.optional("interval").map(YamlNode::duration);
      List<Rule> rules = new ArrayList<>();
      for (YamlNode r : m.required("rules").list()) {
        rules.add(rule(r));
      }
      int limit =
          m.optional("limit")
              .map(
                  n ->
                      n.convert(
                          text -> {
                            int v = Integer.parseInt(text);
                            if (v < 0) {
                              throw new IllegalArgumentException("limit must not be negative");
                            }
                            return v;
                          }))
              .orElse(0);
      groups.add(new RuleGroup(name, interval, limit, rules));
    }
    return groups;
  }

  private Rule rule(YamlNode node) {
    YamlNode.Mapping m = node.mapping(RULE);
    YamlNode exprNode = m.required("expr");
    String exprText = exprNode.raw();
    Expr expr;
    try {
      expr = Parser.parse(exprText);
    } catch (PromqlException e) {
      throw exprNode.error("could not parse expression: " + e.getMessage());
    }
    if (expr.type() != Expr.ValueType.VECTOR && expr.type() != Expr.ValueType.SCALAR) {
      throw exprNode.error("the expression must give an instant vector or a scalar");
    }
    Map<String, String> labels = strings(m.optional("labels").orElse(null), true);
    if (m.optional("record").isPresent()) {
      YamlNode recordNode = m.required("record");
      String record = recordNode.raw();
      if (!record.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
        throw recordNode.error("invalid recording rule name: " + record);
      }
      for (String field :
          List.of(
              "alert",
              "for",
              "keep_firing_for",
              "annotations",
              "risk",
              "impact",
              "during",
              "tenants")) {
        if (m.optional(field).isPresent()) {
          throw m.required(field).error("invalid field '" + field + "' in recording rule");
        }
      }
      return new Rule.Recording(record, exprText, expr, labels);
    }
    YamlNode alertNode =
        m.optional("alert")
            .orElseThrow(() -> m.node().error("one of 'record' or 'alert' must be set"));
    String alert = alertNode.raw();
    if (!Labels.isValidName(alert)) {
      throw alertNode.error("invalid alert name: " + alert);
    }
    Duration forDuration = m.optional("for").map(YamlNode::duration).orElse(Duration.ZERO);
    Duration keep = m.optional("keep_firing_for").map(YamlNode::duration).orElse(Duration.ZERO);
    Map<String, String> annotations = strings(m.optional("annotations").orElse(null), false);
    checkTemplates(m.optional("labels").orElse(null), labels);
    checkTemplates(m.optional("annotations").orElse(null), annotations);
    Rule.Risk risk = m.optional("risk").map(n -> n.convert(Rule.Risk::parse)).orElse(null);
    String impact = m.optional("impact").map(YamlNode::raw).orElse("");
    Rule.During during =
        m.optional("during")
            .map(
                n ->
                    n.convert(
                        s -> {
                          try {
                            return Rule.During.valueOf(s.toUpperCase(Locale.ROOT));
                          } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException(
                                "unknown 'during' value '"
                                    + s
                                    + "' (always, business_hours, outside_business_hours)");
                          }
                        }))
            .orElse(Rule.During.ALWAYS);
    Map<String, String> tenants = tenantFilter(m.optional("tenants"));
    return new Rule.Alerting(
        alert,
        exprText,
        expr,
        forDuration,
        keep,
        labels,
        annotations,
        risk,
        impact,
        during,
        tenants);
  }

  /**
   * A {@code tenants:} filter ({@code tier} and/or {@code id}), as rule files and SLO files write
   * it; empty when absent.
   */
  public static Map<String, String> tenantFilter(Optional<YamlNode> node) {
    Map<String, String> tenants = new LinkedHashMap<>();
    node.ifPresent(
        t -> t.mapping(TENANT_FIELDS).node().entries().forEach((k, v) -> tenants.put(k, v.raw())));
    return tenants;
  }

  private static Map<String, String> strings(YamlNode node, boolean labelNames) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    for (Map.Entry<String, YamlNode> e : node.entries().entrySet()) {
      if (labelNames && !Labels.isValidName(e.getKey())) {
        throw e.getValue().error("invalid label name: " + e.getKey());
      }
      out.put(e.getKey(), e.getValue().raw());
    }
    return out;
  }

  private static void checkTemplates(YamlNode node, Map<String, String> templates) {
    if (node == null) {
      return;
    }
    Map<String, YamlNode> at = node.entries();
    Templates.Data probe = new Templates.Data(Map.of(), 1, Map.of());
    templates.forEach(
        (k, v) -> {
          try {
            Templates.expand(v, probe);
          } catch (IllegalArgumentException e) {
            throw at.get(k).error("template: " + e.getMessage());
          }
        });
  }

  /** A duration field, named for errors. */
  static Duration duration(String text) {
    return Durations.parse(text);
  }
}
