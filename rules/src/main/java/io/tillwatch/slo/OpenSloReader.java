package io.tillwatch.slo;

import io.tillwatch.config.YamlNode;
import io.tillwatch.model.Durations;
import io.tillwatch.rules.Rule;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * OpenSLO v1 documents ({@code apiVersion: openslo/v1}) as tillwatch SLOs: {@code SLO} with an
 * inline or referenced {@code SLI} ({@code ratioMetric} good/total or bad/total of counters, {@code
 * thresholdMetric}; {@code metricSource.type: Prometheus}), {@code timeWindow} rolling or
 * calendar-aligned with {@code timeZone}, {@code budgetingMethod} Occurrences, Timeslices or
 * RatioTimeslices, one objective, and {@code AlertPolicy} / {@code AlertCondition} burn rates that
 * name the SRE Workbook's pairs. Whatever cannot be mapped is an error naming the field.
 *
 * <p>tillwatch's own fields ride in {@code metadata.annotations}: {@code tillwatch.io/risk}, {@code
 * tillwatch.io/impact}, {@code tillwatch.io/during}, {@code tillwatch.io/min-events}, {@code
 * tillwatch.io/runbook-url}.
 */
final class OpenSloReader {
  static final String API_VERSION = "openslo/v1";

  private static final Set<String> DOC = Set.of("apiVersion", "kind", "metadata", "spec");
  private static final Set<String> METADATA =
      Set.of("name", "displayName", "labels", "annotations");
  private static final Set<String> SLO_SPEC =
      Set.of(
          "description",
          "service",
          "indicator",
          "indicatorRef",
          "timeWindow",
          "budgetingMethod",
          "objectives",
          "alertPolicies");
  private static final Set<String> SLI_SPEC =
      Set.of("description", "ratioMetric", "thresholdMetric");
  private static final Set<String> INLINE = Set.of("metadata", "spec");
  private static final Set<String> RATIO =
      Set.of("counter", "good", "bad", "total", "rawType", "raw");
  private static final Set<String> SOURCE = Set.of("metricSource");
  private static final Set<String> METRIC_SOURCE = Set.of("metricSourceRef", "type", "spec");
  private static final Set<String> QUERY = Set.of("query");
  private static final Set<String> WINDOW = Set.of("duration", "isRolling", "calendar");
  private static final Set<String> CALENDAR = Set.of("startTime", "timeZone");
  private static final Set<String> OBJECTIVE =
      Set.of(
          "displayName",
          "op",
          "value",
          "target",
          "targetPercent",
          "timeSliceTarget",
          "timeSliceWindow",
          "indicator",
          "indicatorRef",
          "compositeWeight");
  private static final Set<String> POLICY_SPEC =
      Set.of(
          "description",
          "alertWhenNoData",
          "alertWhenResolved",
          "alertWhenBreaching",
          "conditions",
          "notificationTargets");
  private static final Set<String> POLICY_REF = Set.of("alertPolicyRef");
  private static final Set<String> CONDITION_REF = Set.of("conditionRef");
  private static final Set<String> CONDITION_SPEC = Set.of("description", "severity", "condition");
  private static final Set<String> CONDITION =
      Set.of("kind", "op", "threshold", "lookbackWindow", "alertAfter");
  private static final Set<String> TARGET_REF = Set.of("targetRef");
  private static final Set<String> ANNOTATIONS =
      Set.of(
          "tillwatch.io/risk",
          "tillwatch.io/impact",
          "tillwatch.io/during",
          "tillwatch.io/min-events",
          "tillwatch.io/runbook-url");

  private final Map<String, YamlNode> slis = new HashMap<>();
  private final Map<String, YamlNode> policies = new HashMap<>();
  private final Map<String, YamlNode> conditions = new HashMap<>();
  private final Map<String, YamlNode> dataSources = new HashMap<>();

  /** Whether {@code doc} is an OpenSLO document. */
  static boolean isOpenSlo(YamlNode doc) {
    return doc.entries().containsKey("apiVersion");
  }

  /** The SLOs of the documents. */
  SloCatalog read(List<YamlNode> docs) {
    List<YamlNode> slos = new ArrayList<>();
    for (YamlNode d : docs) {
      YamlNode.Mapping m = d.mapping(DOC);
      m.required("apiVersion")
          .convert(
              v -> {
                if (!v.equals(API_VERSION)) {
                  throw new IllegalArgumentException(
                      "apiVersion '" + v + "' is not read (openslo/v1 is)");
                }
                return v;
              });
      String kind = m.required("kind").raw();
      String name = m.required("metadata").mapping(METADATA).required("name").raw();
      switch (kind) {
        case "SLO" -> slos.add(d);
        case "SLI" -> slis.put(name, d);
        case "AlertPolicy" -> policies.put(name, d);
        case "AlertCondition" -> conditions.put(name, d);
        case "DataSource" -> {
          String type =
              m.required("spec").entries().containsKey("type")
                  ? m.required("spec").entries().get("type").raw()
                  : "";
          if (!type.equalsIgnoreCase("prometheus")) {
            throw m.required("spec")
                .error("a DataSource of type '" + type + "' cannot be read (Prometheus can)");
          }
          dataSources.put(name, d);
        }
        case "Service" -> {} // a name SLOs refer to; nothing to evaluate
        default ->
            throw m.required("kind")
                .error(
                    "kind "
                        + kind
                        + " is not mapped (SLO, SLI, AlertPolicy, AlertCondition, DataSource and"
                        + " Service are; notification targets are Alertmanager's routes)");
      }
    }
    List<Slo> out = new ArrayList<>();
    for (YamlNode d : slos) {
      out.add(slo(d.mapping(DOC)));
    }
    return new SloCatalog(out, List.of());
  }

  private Slo slo(YamlNode.Mapping doc) {
    YamlNode.Mapping meta = doc.required("metadata").mapping(METADATA);
    String name = meta.required("name").raw();
    if (!name.matches("[a-z0-9-]+")) {
      throw meta.required("name")
          .error("'" + name + "' is not an SLO name (lowercase letters, digits and -)");
    }
    if (meta.optional("labels").isPresent()) {
      throw meta.required("labels")
          .error("metadata.labels are not mapped; tillwatch's fields go in metadata.annotations");
    }
    Map<String, YamlNode> ann = new TreeMap<>();
    meta.optional("annotations")
        .ifPresent(a -> ann.putAll(a.mapping(ANNOTATIONS).node().entries()));
    YamlNode.Mapping spec = doc.required("spec").mapping(SLO_SPEC);
    String description =
        spec.optional("description")
            .or(() -> meta.optional("displayName"))
            .map(YamlNode::raw)
            .orElse("");

    // the indicator: inline or by name
    YamlNode.Mapping sliSpec;
    if (spec.optional("indicator").isPresent() == spec.optional("indicatorRef").isPresent()) {
      throw spec.node().error("an SLO has either 'indicator' or 'indicatorRef'");
    }
    if (spec.optional("indicator").isPresent()) {
      sliSpec = spec.required("indicator").mapping(INLINE).required("spec").mapping(SLI_SPEC);
    } else {
      YamlNode ref = spec.required("indicatorRef");
      YamlNode sli = slis.get(ref.raw());
      if (sli == null) {
        throw ref.error("no SLI named '" + ref.raw() + "' in the file");
      }
      sliSpec = sli.mapping(DOC).required("spec").mapping(SLI_SPEC);
    }

    // one objective
    List<YamlNode> objectives = spec.required("objectives").list();
    if (objectives.size() != 1) {
      throw spec.required("objectives")
          .error(
              "one objective per SLO is mapped (write an SLO for each), not " + objectives.size());
    }
    YamlNode.Mapping objective = objectives.getFirst().mapping(OBJECTIVE);
    for (String composite : List.of("indicator", "indicatorRef", "compositeWeight")) {
      if (objective.optional(composite).isPresent()) {
        throw objective.required(composite).error("composite SLOs are not mapped");
      }
    }
    double target = target(objective);

    // the window
    List<YamlNode> windows = spec.required("timeWindow").list();
    if (windows.size() != 1) {
      throw spec.required("timeWindow").error("timeWindow holds exactly one window");
    }
    SloWindow window = window(windows.getFirst().mapping(WINDOW));

    // budgeting and the SLI
    YamlNode methodNode = spec.required("budgetingMethod");
    String method = methodNode.raw();
    Slo.Sli sli;
    Slo.Budgeting budgeting;
    switch (method) {
      case "Occurrences" -> {
        budgeting = Slo.Budgeting.OCCURRENCES;
        if (sliSpec.optional("ratioMetric").isEmpty()) {
          throw methodNode.error("Occurrences budgeting needs a ratioMetric indicator");
        }
        String[] gt = ratio(sliSpec.required("ratioMetric").mapping(RATIO));
        sli = new Slo.Events(gt[0], gt[1]);
      }
      case "Timeslices", "RatioTimeslices" -> {
        budgeting = Slo.Budgeting.TIMESLICES;
        YamlNode sliceNode = objective.required("timeSliceWindow");
        Duration slice = sliceNode.convert(OpenSloReader::slice);
        String expr;
        Slo.Comparison good;
        if (sliSpec.optional("thresholdMetric").isPresent()) {
          if (method.equals("RatioTimeslices")) {
            throw methodNode.error("RatioTimeslices budgeting needs a ratioMetric indicator");
          }
          expr = query(sliSpec.required("thresholdMetric").mapping(SOURCE));
          good = comparison(objective);
          objective
              .optional("timeSliceTarget")
              .ifPresent(
                  t -> {
                    if (t.convert(Double::parseDouble) != 1) {
                      throw t.error(
                          "a thresholdMetric slice is judged once: timeSliceTarget must be 1");
                    }
                  });
        } else {
          String[] gt = ratio(sliSpec.required("ratioMetric").mapping(RATIO));
          expr =
              "("
                  + SloTemplates.withWindow(gt[0], slice)
                  + ") / ("
                  + SloTemplates.withWindow(gt[1], slice)
                  + ")";
          if (method.equals("RatioTimeslices")) {
            good = Slo.Comparison.SHARE;
          } else {
            YamlNode t = objective.required("timeSliceTarget");
            good = new Slo.Comparison(">=", t.convert(Double::parseDouble));
          }
        }
        sli = new Slo.Timeslice(expr, SloFileLoader.parse(sliSpec.node(), expr), good, slice);
      }
      default ->
          throw methodNode.error(
              "unknown budgetingMethod '"
                  + method
                  + "' (Occurrences, Timeslices or RatioTimeslices)");
    }
    if (method.equals("Occurrences")) {
      for (String f : List.of("timeSliceTarget", "timeSliceWindow", "op", "value")) {
        if (objective.optional(f).isPresent()) {
          throw objective.required(f).error(f + " has no meaning with Occurrences budgeting");
        }
      }
    }

    // alerting: the workbook's pairs the policies name, labelled with the service and targets
    Map<String, String> extraLabels = new TreeMap<>();
    spec.optional("service").ifPresent(s -> extraLabels.put("service", s.raw()));
    Map<String, Slo.AlertSpec> alerting = new LinkedHashMap<>();
    if (spec.optional("alertPolicies").isPresent()) {
      Map<String, Map<String, String>> bySeverity = new LinkedHashMap<>();
      for (YamlNode p : spec.required("alertPolicies").list()) {
        policy(p, window, bySeverity, extraLabels);
      }
      for (String severity : List.of("page", "ticket")) {
        Map<String, String> labels = bySeverity.get(severity);
        alerting.put(
            severity,
            labels == null ? new Slo.AlertSpec(false, Map.of()) : new Slo.AlertSpec(true, labels));
      }
    } else {
      for (String severity : List.of("page", "ticket")) {
        Map<String, String> labels = new TreeMap<>(extraLabels);
        labels.put("severity", severity);
        alerting.put(severity, new Slo.AlertSpec(true, labels));
      }
    }

    Rule.Risk risk =
        Optional.ofNullable(ann.get("tillwatch.io/risk"))
            .map(n -> n.convert(Rule.Risk::parse))
            .orElse(null);
    Rule.During during =
        Optional.ofNullable(ann.get("tillwatch.io/during"))
            .map(n -> n.convert(SloFileLoader::during))
            .orElse(Rule.During.ALWAYS);
    double minEvents =
        Optional.ofNullable(ann.get("tillwatch.io/min-events"))
            .map(n -> n.convert(Double::parseDouble))
            .orElse(0.0);
    return new Slo(
        name,
        description,
        risk,
        Optional.ofNullable(ann.get("tillwatch.io/impact")).map(YamlNode::raw).orElse(""),
        target,
        Map.of(),
        window,
        budgeting,
        during,
        minEvents,
        ErrorBudget.DEFAULT_AT_RISK_BELOW,
        Map.of(),
        sli,
        alerting,
        Optional.ofNullable(ann.get("tillwatch.io/runbook-url")).map(YamlNode::raw).orElse(""),
        List.of());
  }

  private static double target(YamlNode.Mapping objective) {
    Optional<YamlNode> t = objective.optional("target");
    Optional<YamlNode> p = objective.optional("targetPercent");
    if (t.isPresent() == p.isPresent()) {
      throw objective.node().error("an objective has either 'target' or 'targetPercent'");
    }
    double v =
        t.isPresent()
            ? t.get().convert(Double::parseDouble)
            : java.math.BigDecimal.valueOf(p.get().convert(Double::parseDouble))
                .movePointLeft(2)
                .doubleValue();
    if (!(v > 0 && v < 1)) {
      throw t.orElseGet(p::get).error("a target lies strictly between 0 and 1 (0 and 100 %)");
    }
    return v;
  }

  private static Slo.Comparison comparison(YamlNode.Mapping objective) {
    YamlNode opNode = objective.required("op");
    String op =
        opNode.convert(
            s ->
                switch (s) {
                  case "lt" -> "<";
                  case "lte" -> "<=";
                  case "gt" -> ">";
                  case "gte" -> ">=";
                  default ->
                      throw new IllegalArgumentException(
                          "unknown op '" + s + "' (lt, lte, gt or gte)");
                });
    return new Slo.Comparison(op, objective.required("value").convert(Double::parseDouble));
  }

  /** Good and total event-rate expressions with {@code {{.window}}}, from good/bad and total. */
  private String[] ratio(YamlNode.Mapping r) {
    for (String f : List.of("raw", "rawType")) {
      if (r.optional(f).isPresent()) {
        throw r.required(f)
            .error("precomputed ratios (raw) are not mapped: give good or bad, and total");
      }
    }
    boolean counter = r.optional("counter").map(YamlNode::bool).orElse(false);
    if (r.optional("good").isPresent() == r.optional("bad").isPresent()) {
      throw r.node().error("a ratioMetric has either 'good' or 'bad', and 'total'");
    }
    String total = rate(r.required("total"), counter);
    if (r.optional("good").isPresent()) {
      return new String[] {rate(r.required("good"), counter), total};
    }
    String bad = rate(r.required("bad"), counter);
    // no bad series (nothing failed) means every event was good
    return new String[] {"(" + total + ") - ((" + bad + ") or (0 * (" + total + ")))", total};
  }

  /** A query as an event rate per tenant over {@code {{.window}}}. */
  private String rate(YamlNode source, boolean counter) {
    String q = query(source.mapping(SOURCE));
    if (q.contains("{{.window}}")) {
      return q;
    }
    if (!counter) {
      throw source.error(
          "a query without {{.window}} must be a counter (counter: true) to be read as events");
    }
    io.tillwatch.promql.Expr e;
    try {
      e = io.tillwatch.promql.Parser.parse(q);
    } catch (io.tillwatch.promql.PromqlException ex) {
      throw source.error("could not parse the query: " + ex.getMessage());
    }
    if (!(e instanceof io.tillwatch.promql.Expr.VectorSelector)) {
      throw source.error(
          "a counter query must be a series selector (or a rate with {{.window}}), not: " + q);
    }
    return "sum by (tenant) (rate(" + q + "[{{.window}}]))";
  }

  private String query(YamlNode.Mapping source) {
    YamlNode.Mapping ms = source.required("metricSource").mapping(METRIC_SOURCE);
    String type;
    if (ms.optional("metricSourceRef").isPresent()) {
      YamlNode ref = ms.required("metricSourceRef");
      if (!dataSources.containsKey(ref.raw())) {
        throw ref.error("no Prometheus DataSource named '" + ref.raw() + "' in the file");
      }
      type = ms.optional("type").map(YamlNode::raw).orElse("Prometheus");
    } else {
      type = ms.required("type").raw();
    }
    if (!type.equalsIgnoreCase("prometheus")) {
      throw ms.required("type")
          .error("metric source type '" + type + "' cannot be read (Prometheus can)");
    }
    YamlNode q = ms.required("spec").mapping(QUERY).required("query");
    return q.raw();
  }

  private static SloWindow window(YamlNode.Mapping w) {
    YamlNode durationNode = w.required("duration");
    String d = durationNode.raw();
    boolean rolling =
        w.optional("isRolling").map(YamlNode::bool).orElse(w.optional("calendar").isEmpty());
    if (rolling) {
      if (w.optional("calendar").isPresent()) {
        throw w.required("calendar").error("a rolling window has no calendar");
      }
      Duration length =
          durationNode.convert(
              s -> {
                if (s.endsWith("w")) {
                  return Duration.ofDays(7 * Long.parseLong(s.substring(0, s.length() - 1)));
                }
                if (s.endsWith("M") || s.endsWith("Q") || s.endsWith("Y")) {
                  throw new IllegalArgumentException(
                      "a rolling window is days or weeks (28d, 4w), not '" + s + "'");
                }
                return Durations.parse(s);
              });
      return durationNode.convert(s -> SloWindow.parse(Durations.format(length)));
    }
    SloWindow.Period period =
        durationNode.convert(
            s ->
                switch (s) {
                  case "1w", "7d" -> SloWindow.Period.WEEK;
                  case "1M" -> SloWindow.Period.MONTH;
                  case "1Q" -> SloWindow.Period.QUARTER;
                  default ->
                      throw new IllegalArgumentException(
                          "a calendar window is 1w, 1M or 1Q, not '" + s + "'");
                });
    Optional<ZoneId> zone = Optional.empty();
    if (w.optional("calendar").isPresent()) {
      YamlNode.Mapping c = w.required("calendar").mapping(CALENDAR);
      zone = c.optional("timeZone").map(z -> z.convert(ZoneId::of));
      c.optional("startTime").ifPresent(s -> s.convert(t -> checkStart(t, period)));
    }
    return new SloWindow.Calendar(period, zone);
  }

  /** A calendar window's start must be where its periods start: midnight, Monday or the 1st. */
  private static Object checkStart(String text, SloWindow.Period period) {
    LocalDateTime t;
    try {
      t = LocalDateTime.parse(text, DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a start time (2026-01-01 00:00:00)");
    }
    boolean aligned =
        t.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)
            && switch (period) {
              case WEEK -> t.getDayOfWeek() == DayOfWeek.MONDAY;
              case MONTH -> t.getDayOfMonth() == 1;
              case QUARTER -> t.getDayOfMonth() == 1 && (t.getMonthValue() - 1) % 3 == 0;
            };
    if (!aligned) {
      throw new IllegalArgumentException(
          "periods start at midnight on "
              + switch (period) {
                case WEEK -> "Monday";
                case MONTH -> "the 1st of the month";
                case QUARTER -> "the 1st of January, April, July or October";
              }
              + ", not at "
              + text);
    }
    return t;
  }

  private static Duration slice(String s) {
    // a bare number is minutes
    return s.matches("[0-9]+") ? Duration.ofMinutes(Long.parseLong(s)) : Durations.parse(s);
  }

  /** The severities a policy's conditions enable, each with its labels. */
  private void policy(
      YamlNode p,
      SloWindow window,
      Map<String, Map<String, String>> bySeverity,
      Map<String, String> extraLabels) {
    YamlNode.Mapping spec;
    if (p.entries().containsKey("alertPolicyRef")) {
      YamlNode ref = p.mapping(POLICY_REF).required("alertPolicyRef");
      YamlNode doc = policies.get(ref.raw());
      if (doc == null) {
        throw ref.error("no AlertPolicy named '" + ref.raw() + "' in the file");
      }
      spec = doc.mapping(DOC).required("spec").mapping(POLICY_SPEC);
    } else {
      YamlNode.Mapping inline = p.mapping(DOC);
      spec = inline.required("spec").mapping(POLICY_SPEC);
    }
    if (spec.optional("alertWhenNoData").map(YamlNode::bool).orElse(false)) {
      throw spec.required("alertWhenNoData")
          .error("alerts on no data are not mapped: no data never pages (the state says No data)");
    }
    if (!spec.optional("alertWhenBreaching").map(YamlNode::bool).orElse(true)) {
      throw spec.required("alertWhenBreaching")
          .error("a policy that does not alert when breaching has nothing to map");
    }
    Map<String, String> labels = new TreeMap<>(extraLabels);
    List<String> targets = new ArrayList<>();
    spec.optional("notificationTargets")
        .ifPresent(
            ts ->
                ts.list()
                    .forEach(t -> targets.add(t.mapping(TARGET_REF).required("targetRef").raw())));
    if (!targets.isEmpty()) {
      labels.put("notification_target", String.join(",", targets));
    }
    List<YamlNode> conds = spec.required("conditions").list();
    if (conds.size() != 1) {
      throw spec.required("conditions").error("a policy holds exactly one condition");
    }
    YamlNode c = conds.getFirst();
    YamlNode.Mapping cspec;
    if (c.entries().containsKey("conditionRef")) {
      YamlNode ref = c.mapping(CONDITION_REF).required("conditionRef");
      YamlNode doc = conditions.get(ref.raw());
      if (doc == null) {
        throw ref.error("no AlertCondition named '" + ref.raw() + "' in the file");
      }
      cspec = doc.mapping(DOC).required("spec").mapping(CONDITION_SPEC);
    } else {
      cspec = c.mapping(DOC).required("spec").mapping(CONDITION_SPEC);
    }
    String severity = cspec.required("severity").raw();
    YamlNode.Mapping cond = cspec.required("condition").mapping(CONDITION);
    String kind = cond.optional("kind").map(YamlNode::raw).orElse("burnrate");
    if (!kind.equals("burnrate")) {
      throw cond.required("kind")
          .error("condition kind '" + kind + "' is not mapped (burnrate is)");
    }
    String op = cond.required("op").raw();
    if (!op.equals("gt") && !op.equals("gte")) {
      throw cond.required("op").error("a burn-rate condition pages above a threshold (gt or gte)");
    }
    double threshold = cond.required("threshold").convert(Double::parseDouble);
    Duration lookback = cond.required("lookbackWindow").duration();
    cond.optional("alertAfter")
        .ifPresent(
            a -> {
              if (!a.duration().isZero()) {
                throw a.error(
                    "alertAfter is not mapped: the multi-window pairs replace waiting (use 0m)");
              }
            });
    BurnRateAlert pair =
        BurnRateAlert.forWindow(window.nominal()).stream()
            .filter(
                a ->
                    a.longWindow().equals(lookback)
                        && Math.abs(a.factor() - threshold) < 0.01 * a.factor())
            .findFirst()
            .orElseThrow(
                () ->
                    cond.node()
                        .error(
                            "burn rate "
                                + threshold
                                + " over "
                                + Durations.format(lookback)
                                + " is not one of the SRE Workbook's pairs for a "
                                + window.text()
                                + " window ("
                                + pairs(window)
                                + ")"));
    if (!pair.severity().equals(severity.toLowerCase(Locale.ROOT))) {
      throw cspec
          .required("severity")
          .error(
              "burn rate "
                  + threshold
                  + " over "
                  + Durations.format(lookback)
                  + " is the '"
                  + pair.severity()
                  + "' pair, not '"
                  + severity
                  + "'");
    }
    labels.put("severity", pair.severity());
    bySeverity.put(pair.severity(), labels);
  }

  private static String pairs(SloWindow window) {
    List<String> out = new ArrayList<>();
    for (BurnRateAlert a : BurnRateAlert.forWindow(window.nominal())) {
      out.add(
          a.severity()
              + ": "
              + SloRules.num(a.factor())
              + " over "
              + Durations.format(a.longWindow()));
    }
    return String.join("; ", out);
  }
}
