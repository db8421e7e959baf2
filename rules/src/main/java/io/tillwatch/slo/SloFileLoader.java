package io.tillwatch.slo;

import io.tillwatch.calendar.Interval;
import io.tillwatch.config.FileReader;
import io.tillwatch.config.Interpolation;
import io.tillwatch.config.YamlNode;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Tier;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.PromqlException;
import io.tillwatch.rules.Rule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads SLO files ({@code slos:} and {@code exclusions:}); errors name file, line, column and
 * field, and unknown keys are refused, as in rule files.
 */
public final class SloFileLoader {
  private static final Set<String> ROOT = Set.of("slos", "exclusions");
  private static final Set<String> SLO =
      Set.of(
          "name",
          "description",
          "risk",
          "impact",
          "objective",
          "objectives",
          "window",
          "budgeting",
          "during",
          "min_events",
          "at_risk_below",
          "tenants",
          "sli",
          "alerting",
          "runbook_url");
  private static final Set<String> SLI = Set.of("events", "timeslice");
  private static final Set<String> EVENTS = Set.of("good", "total");
  private static final Set<String> TIMESLICE = Set.of("expr", "good", "slice");
  private static final Set<String> ALERTING = Set.of("page", "ticket");
  private static final Set<String> ALERT = Set.of("labels", "disable");
  private static final Set<String> EXCLUSION = Set.of("tenants", "from", "to", "reason");
  private static final Pattern NAME = Pattern.compile("[a-z0-9-]+");
  private static final Pattern COMPARISON =
      Pattern.compile("\\s*(<=|>=|==|!=|<|>)\\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\\s*");

  private final Interpolation none;

  public SloFileLoader(FileReader files) {
    this.none = Interpolation.withoutEnvironment(files);
  }

  /** The SLOs of a file: tillwatch's SLO file, or OpenSLO v1 documents. */
  public SloCatalog load(Path file) {
    String text;
    try {
      text = none.files().read(file);
    } catch (java.io.IOException e) {
      throw new io.tillwatch.config.ConfigException(
          file, 1, 1, "", "cannot read the file: " + e.getMessage());
    }
    return load(file, text);
  }

  /** The SLOs of text; {@code name} names it in errors. */
  public SloCatalog load(Path name, String text) {
    List<YamlNode> docs = YamlNode.parseAll(name, text, none);
    if (OpenSloReader.isOpenSlo(docs.getFirst())) {
      return new OpenSloReader().read(docs);
    }
    if (docs.size() > 1) {
      throw docs.get(1).error("an SLO file is one document (OpenSLO files start with apiVersion)");
    }
    return read(docs.getFirst());
  }

  private SloCatalog read(YamlNode file) {
    YamlNode.Mapping root = file.mapping(ROOT);
    List<Slo> slos = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode n : root.optional("slos").map(YamlNode::list).orElse(List.of())) {
      Slo slo = slo(n);
      if (!names.add(slo.name())) {
        throw n.mapping(SLO).required("name").error("SLO '" + slo.name() + "' is repeated");
      }
      slos.add(slo);
    }
    List<Exclusion> exclusions = new ArrayList<>();
    for (YamlNode n : root.optional("exclusions").map(YamlNode::list).orElse(List.of())) {
      exclusions.add(exclusion(n));
    }
    return new SloCatalog(slos, exclusions);
  }

  private Slo slo(YamlNode node) {
    YamlNode.Mapping m = node.mapping(SLO);
    String name =
        m.required("name")
            .convert(
                s -> {
                  if (!NAME.matcher(s).matches()) {
                    throw new IllegalArgumentException(
                        "'" + s + "' is not an SLO name (lowercase letters, digits and -)");
                  }
                  return s;
                });
    if (m.optional("objective").isEmpty() && m.optional("objectives").isEmpty()) {
      throw m.node().error("an SLO needs 'objective' (percent) or 'objectives' per tier");
    }
    double objective = m.optional("objective").map(SloFileLoader::percent).orElse(Double.NaN);
    Map<Tier, Double> byTier = new EnumMap<>(Tier.class);
    m.optional("objectives")
        .ifPresent(
            o ->
                o.entries()
                    .forEach(
                        (tier, v) -> {
                          Tier t;
                          try {
                            t = Tier.parse(tier);
                          } catch (IllegalArgumentException e) {
                            throw v.error(e.getMessage());
                          }
                          byTier.put(t, percent(v));
                        }));
    if (Double.isNaN(objective) && byTier.size() < Tier.values().length) {
      throw m.required("objectives")
          .error("objectives name every tier (dedicated, shared) unless 'objective' is set too");
    }
    SloWindow window =
        m.optional("window").map(n -> n.convert(SloWindow::parse)).orElse(SloWindow.parse("28d"));
    Slo.Sli sli = sli(m.required("sli"));
    Slo.Budgeting budgeting =
        m.optional("budgeting")
            .map(
                n ->
                    n.convert(
                        s ->
                            switch (s) {
                              case "occurrences" -> Slo.Budgeting.OCCURRENCES;
                              case "timeslices" -> Slo.Budgeting.TIMESLICES;
                              default ->
                                  throw new IllegalArgumentException(
                                      "unknown budgeting '" + s + "' (occurrences or timeslices)");
                            }))
            .orElse(
                sli instanceof Slo.Timeslice
                    ? Slo.Budgeting.TIMESLICES
                    : Slo.Budgeting.OCCURRENCES);
    if ((budgeting == Slo.Budgeting.TIMESLICES) != (sli instanceof Slo.Timeslice)) {
      throw m.optional("budgeting")
          .orElse(m.required("sli"))
          .error(
              budgeting == Slo.Budgeting.TIMESLICES
                  ? "timeslices budgeting needs an sli.timeslice"
                  : "occurrences budgeting needs sli.events (good and total)");
    }
    Rule.During during =
        m.optional("during").map(n -> n.convert(SloFileLoader::during)).orElse(Rule.During.ALWAYS);
    double minEvents =
        m.optional("min_events").map(n -> n.convert(SloFileLoader::nonNegative)).orElse(0.0);
    double atRisk =
        m.optional("at_risk_below")
            .map(SloFileLoader::percent)
            .orElse(ErrorBudget.DEFAULT_AT_RISK_BELOW);
    Map<String, String> tenants =
        io.tillwatch.rules.RuleFileLoader.tenantFilter(m.optional("tenants"));
    Map<String, Slo.AlertSpec> alerting = new LinkedHashMap<>();
    m.optional("alerting")
        .ifPresent(
            a ->
                a.mapping(ALERTING)
                    .node()
                    .entries()
                    .forEach((severity, spec) -> alerting.put(severity, alert(severity, spec))));
    return new Slo(
        name,
        m.optional("description").map(YamlNode::raw).orElse(""),
        m.optional("risk").map(n -> n.convert(Rule.Risk::parse)).orElse(null),
        m.optional("impact").map(YamlNode::raw).orElse(""),
        objective,
        byTier,
        window,
        budgeting,
        during,
        minEvents,
        atRisk,
        tenants,
        sli,
        alerting,
        m.optional("runbook_url").map(YamlNode::raw).orElse(""),
        List.of());
  }

  private static Slo.Sli sli(YamlNode node) {
    YamlNode.Mapping m = node.mapping(SLI);
    if (m.optional("events").isPresent() == m.optional("timeslice").isPresent()) {
      throw node.error("an sli has either 'events' (good and total) or 'timeslice'");
    }
    if (m.optional("events").isPresent()) {
      YamlNode.Mapping e = m.required("events").mapping(EVENTS);
      return new Slo.Events(eventsExpr(e.required("good")), eventsExpr(e.required("total")));
    }
    YamlNode.Mapping t = m.required("timeslice").mapping(TIMESLICE);
    YamlNode exprNode = t.required("expr");
    Expr expr = parse(exprNode, exprNode.raw());
    Slo.Comparison good =
        t.required("good")
            .convert(
                s -> {
                  Matcher c = COMPARISON.matcher(s);
                  if (!c.matches()) {
                    throw new IllegalArgumentException(
                        "'" + s + "' is not a comparison (such as '< 600' or '>= 1')");
                  }
                  return new Slo.Comparison(c.group(1), Double.parseDouble(c.group(2)));
                });
    Duration slice = t.optional("slice").map(YamlNode::duration).orElse(Duration.ofMinutes(1));
    if (slice.isZero() || slice.isNegative()) {
      throw t.required("slice").error("a time slice is longer than 0");
    }
    return new Slo.Timeslice(exprNode.raw(), expr, good, slice);
  }

  /** An events expression, checked with its window placeholder filled in. */
  private static String eventsExpr(YamlNode node) {
    String text = node.raw();
    parse(node, SloTemplates.withWindow(text, Duration.ofMinutes(5)));
    return text;
  }

  static Expr parse(YamlNode node, String text) {
    Expr e;
    try {
      e = Parser.parse(text);
    } catch (PromqlException ex) {
      throw node.error("could not parse expression: " + ex.getMessage());
    }
    if (e.type() != Expr.ValueType.VECTOR) {
      throw node.error("the expression must give an instant vector (one series per tenant)");
    }
    return e;
  }

  private static Slo.AlertSpec alert(String severity, YamlNode node) {
    YamlNode.Mapping m = node.mapping(ALERT);
    boolean disabled = m.optional("disable").map(YamlNode::bool).orElse(false);
    Map<String, String> labels = new LinkedHashMap<>(Map.of("severity", severity));
    m.optional("labels")
        .ifPresent(
            l ->
                l.entries()
                    .forEach(
                        (k, v) -> {
                          if (!Labels.isValidName(k)) {
                            throw v.error("invalid label name: " + k);
                          }
                          labels.put(k, v.raw());
                        }));
    return new Slo.AlertSpec(!disabled, labels);
  }

  private static Exclusion exclusion(YamlNode node) {
    YamlNode.Mapping m = node.mapping(EXCLUSION);
    Set<String> tenants = new LinkedHashSet<>();
    m.optional("tenants").ifPresent(t -> t.list().forEach(x -> tenants.add(x.raw())));
    YamlNode fromNode = m.required("from");
    YamlNode toNode = m.required("to");
    OffsetDateTime from = fromNode.convert(SloFileLoader::timestamp);
    OffsetDateTime to = toNode.convert(SloFileLoader::timestamp);
    if (!to.isAfter(from)) {
      throw toNode.error("an exclusion ends after it starts");
    }
    String reason = m.required("reason").raw();
    if (reason.isBlank()) {
      throw m.required("reason").error("say why the period is excluded");
    }
    return new Exclusion(tenants, new Interval(from.toInstant(), to.toInstant()), reason);
  }

  private static OffsetDateTime timestamp(String s) {
    try {
      return OffsetDateTime.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + s + "' is not a time with its offset (such as 2026-12-06T22:00:00+01:00)");
    }
  }

  /** A percent in (0, 100) as a share. */
  private static double percent(YamlNode node) {
    return node.convert(
        s -> {
          java.math.BigDecimal p;
          try {
            p = new java.math.BigDecimal(s.replace("%", "").trim());
          } catch (NumberFormatException e) {
            p = java.math.BigDecimal.ZERO;
          }
          if (p.signum() <= 0 || p.compareTo(java.math.BigDecimal.valueOf(100)) >= 0) {
            throw new IllegalArgumentException(
                "'" + s + "' is not a percentage between 0 and 100 (such as 99.5)");
          }
          return p.movePointLeft(2).doubleValue(); // 99.9 % is 0.999, not 0.9990000000000001
        });
  }

  /** {@code always} or {@code business_hours}. */
  static Rule.During during(String s) {
    return switch (s) {
      case "always" -> Rule.During.ALWAYS;
      case "business_hours" -> Rule.During.BUSINESS_HOURS;
      default ->
          throw new IllegalArgumentException(
              "unknown 'during' value '" + s + "' (always or business_hours)");
    };
  }

  private static double nonNegative(String s) {
    double v = Double.parseDouble(s);
    if (!(v >= 0)) {
      throw new IllegalArgumentException("'" + s + "' is not a count of 0 or more");
    }
    return v;
  }
}
