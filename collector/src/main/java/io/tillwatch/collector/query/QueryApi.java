package io.tillwatch.collector.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tillwatch.collector.Access;
import io.tillwatch.collector.config.QueryConfig;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.head.Head;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.collector.slo.SloLedger;
import io.tillwatch.collector.store.SampleStorage;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Evaluator;
import io.tillwatch.promql.Expr;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.PrefetchSource;
import io.tillwatch.promql.PromqlException;
import io.tillwatch.promql.QueryLimitException;
import io.tillwatch.promql.QueryLimits;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus HTTP API over the head, so that Grafana's Prometheus data source can point at the
 * collector: {@code /api/v1/query}, {@code query_range}, {@code series}, {@code labels}, {@code
 * label/<name>/values}, {@code rules}, {@code alerts}. Queries read the head, and storage for
 * ranges older than it. Every request needs a bearer token, and a tenant's token sees only that
 * tenant's series and alerts.
 */
public final class QueryApi implements AutoCloseable {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final System.Logger LOG = System.getLogger(QueryApi.class.getName());
  private static final int MAX_POINTS = 11_000;

  /** Times accepted: years 1 to 9999, in milliseconds (no wrapping, no endless ranges). */
  private static final long MIN_TIME = -62135596800000L;

  private static final long MAX_TIME = 253402300799999L;

  private final Access access;
  private final Head head;
  private final RuleEngine rules;
  private final SampleStorage store;
  private final SloLedger slos;
  private final io.tillwatch.collector.cluster.Leases leases;
  private final QueryConfig config;
  private final ThreadPoolExecutor pool;

  /** Turns to compute: {@code query.max_parallel} queries at a time. */
  private final java.util.concurrent.Semaphore turns;

  /**
   * Queries run on a pool of their own ({@code max_concurrency} threads, a short queue), so that
   * ingest and rule evaluation never wait on them.
   */
  public QueryApi(
      Access access,
      Head head,
      RuleEngine rules,
      SampleStorage store,
      SloLedger slos,
      QueryConfig config,
      io.tillwatch.collector.cluster.Leases leases) {
    this.leases = leases;
    this.store = store;
    this.slos = slos;
    this.access = access;
    this.head = head;
    this.rules = rules;
    this.config = config;
    this.pool =
        new ThreadPoolExecutor(
            config.maxConcurrency(),
            config.maxConcurrency(),
            1,
            TimeUnit.MINUTES,
            new ArrayBlockingQueue<>(4 * config.maxConcurrency()),
            Thread.ofPlatform().name("tillwatch-query-", 0).daemon().factory());
    pool.allowCoreThreadTimeOut(true);
    this.turns = new java.util.concurrent.Semaphore(config.maxParallel(), true);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  public void handle(HttpServerRequest request) {
    Optional<TokenGrant> grant = access.authorize(request.getHeader("Authorization"));
    if (grant.isEmpty()) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
      error(request, 401, "unauthorized", "no or unknown bearer token");
      return;
    }
    TenantScope tenants =
        grant.get().allowsAll() ? TenantScope.all() : TenantScope.of(grant.get().tenants());
    QueryLimits limits = grant.get().queryLimits().orElse(config.limits());
    if (request.method().name().equals("POST")) {
      request.setExpectMultipart(true);
      request.endHandler(v -> dispatch(request, request.formAttributes(), tenants, limits));
    } else {
      dispatch(request, MultiMap.caseInsensitiveMultiMap(), tenants, limits);
    }
  }

  private void dispatch(
      HttpServerRequest request, MultiMap form, TenantScope tenants, QueryLimits limits) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap().addAll(request.params()).addAll(form);
    Context context = Vertx.currentContext();
    try {
      pool.execute(
          () -> {
            byte[] result = null;
            Throwable failure = null;
            try {
              // what is wrong with the request itself is said at once, without a turn
              precheck(request.path(), params);
              // a turn first: waiting counts against the query's own timeout
              long waitFrom = System.nanoTime();
              if (!turns.tryAcquire(limits.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new QueryLimitException(QueryLimitException.Kind.TIMEOUT);
              }
              try {
                Duration left = limits.timeout().minusNanos(System.nanoTime() - waitFrom);
                if (left.isNegative() || left.isZero()) {
                  throw new QueryLimitException(QueryLimitException.Kind.TIMEOUT);
                }
                // the answer is computed and written out here, never on the event loop
                Object data =
                    answer(
                        request.path(),
                        params,
                        tenants,
                        new QueryLimits(limits.maxSamples(), left));
                result = data == null ? null : success((JsonNode) data);
              } finally {
                turns.release();
              }
            } catch (
                Throwable e) { // every request gets its answer, also when the JVM is in trouble
              failure = e;
            }
            byte[] answer = result;
            Throwable error = failure;
            context.runOnContext(v -> respond(request, answer, error));
            if (failure instanceof VirtualMachineError fatal
                && !(failure instanceof StackOverflowError)) {
              throw fatal;
            }
          });
    } catch (RejectedExecutionException full) {
      error(
          request,
          503,
          "unavailable",
          "too many queries at once (" + config.maxConcurrency() + " running, more waiting)");
    }
  }

  /** The Prometheus HTTP API version whose calls and answers the collector implements. */
  static final String PROMETHEUS_API_VERSION = "2.42.0";

  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private static byte[] success(JsonNode data) throws java.io.IOException {
    return MAPPER.writeValueAsBytes(
        JSON.objectNode().put("status", "success").<ObjectNode>set("data", data));
  }

  private static void respond(HttpServerRequest request, byte[] result, Throwable e) {
    if (e != null) {
      switch (e) {
        case BadRequest b -> error(request, 400, "bad_data", b.getMessage());
        case NotFound n -> error(request, 404, "not_found", n.getMessage());
        case QueryLimitException l when l.kind() == QueryLimitException.Kind.TIMEOUT ->
            error(request, 503, "timeout", l.getMessage());
        case PromqlException p -> error(request, 422, "execution", p.getMessage());
        default -> {
          // the details stay in the log: a caller sees only which entry to look for
          String id = UUID.randomUUID().toString();
          LOG.log(System.Logger.Level.ERROR, "query " + request.path() + " failed, id " + id, e);
          error(request, 500, "internal", "internal error, id " + id);
        }
      }
      return;
    }
    if (result == null) {
      error(request, 404, "not_found", "unknown endpoint " + request.path());
      return;
    }
    request
        .response()
        .putHeader("Content-Type", "application/json")
        .end(io.vertx.core.buffer.Buffer.buffer(result));
  }

  /** What is wrong with a request: 400. */
  static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  /** What a request names does not exist (or is not the caller's): 404. */
  static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message);
    }
  }

  private Object answer(String path, MultiMap p, TenantScope tenants, QueryLimits limits) {
    HeadSource source = new HeadSource(head, tenants);
    long now = System.currentTimeMillis();
    TieredSource data = TieredSource.of(head, store, tenants);
    if (path.startsWith("/api/v1/slos/")) {
      return new SloAnswers(slos).history(path, p, tenants, now);
    }
    switch (path) {
      case "/api/v1/query" -> {
        Expr e = parse(p.get("query"));
        long t = p.get("time") == null ? now : time(p.get("time"), "time");
        Value v =
            new Evaluator(
                    PrefetchSource.of(data, e, t, t, Evaluator.DEFAULT_LOOKBACK_MILLIS),
                    Evaluator.DEFAULT_LOOKBACK_MILLIS,
                    t,
                    t,
                    limits)
                .eval(e, t);
        return result(v, t);
      }
      case "/api/v1/query_range" -> {
        Expr e = parse(p.get("query"));
        long start = time(required(p, "start"), "start");
        long end = time(required(p, "end"), "end");
        long step = step(required(p, "step"));
        checkRange(e, start, end, step);
        // each selector's data read once for all steps (one SQL query per selector for storage)
        Evaluator ev =
            new Evaluator(
                PrefetchSource.of(data, e, start, end, Evaluator.DEFAULT_LOOKBACK_MILLIS),
                Evaluator.DEFAULT_LOOKBACK_MILLIS,
                start,
                end,
                limits);
        long points = 0;
        Map<Labels, Points> series = new HashMap<>(); // sorted once, at the end
        long steps = (end - start) / step + 1;
        for (long i = 0; i < steps; i++) {
          long t = start + i * step;
          ev.resetSamples(); // each step's samples in memory; the answer's points add up below
          Value v = ev.eval(e, t);
          List<Value.Sample> samples =
              v instanceof Value.Scalar s
                  ? List.of(new Value.Sample(Labels.empty(), s.value(), t))
                  : ((Value.Vector) v).samples();
          points += samples.size();
          if (points > limits.maxSamples()) {
            ev.charge(Long.MAX_VALUE); // the answer itself holds too many samples
          }
          for (Value.Sample s : samples) {
            series.computeIfAbsent(s.labels(), k -> new Points()).add(t, s.value());
          }
        }
        ArrayNode out = JSON.arrayNode();
        Map<Labels, Points> sorted = new TreeMap<>(QueryApi::compareLabels);
        sorted.putAll(series);
        sorted.forEach(
            (labels, values) ->
                out.add(
                    JSON.objectNode()
                        .<ObjectNode>set("metric", json(labels))
                        .<ObjectNode>set("values", JSON.pojoNode(values))));
        return JSON.objectNode().put("resultType", "matrix").<ObjectNode>set("result", out);
      }
      case "/api/v1/slos" -> {
        long t = p.get("at") == null ? now : time(p.get("at"), "at");
        return new SloAnswers(slos).table(data, tenants, t, limits);
      }
      case "/api/v1/series" -> {
        List<String> matches = p.getAll("match[]");
        if (matches.isEmpty()) {
          throw new BadRequest("no match[] parameter provided");
        }
        Set<Labels> found = new TreeSet<>(QueryApi::compareLabels);
        found.addAll(matching(source, tenants, p, now));
        ArrayNode out = JSON.arrayNode();
        found.forEach(l -> out.add(json(l)));
        return out;
      }
      case "/api/v1/labels" -> {
        Set<String> names = new TreeSet<>();
        for (Labels l : matching(source, tenants, p, now)) {
          names.addAll(l.names());
        }
        return strings(names);
      }
      case "/api/v1/rules" -> {
        return rules(tenants);
      }
      case "/api/v1/status/buildinfo" -> {
        // Grafana reads the Prometheus API level from "version"; tillwatch speaks that of 2.42
        String own = QueryApi.class.getPackage().getImplementationVersion();
        return JSON.objectNode()
            .put("version", PROMETHEUS_API_VERSION)
            .put("revision", own == null ? "dev" : own)
            .put("branch", "tillwatch")
            .put("buildUser", "tillwatch")
            .put("buildDate", "")
            .put("goVersion", "")
            .put("application", "tillwatch");
      }
      case "/api/v1/status/cluster" -> {
        return cluster(now);
      }
      case "/api/v1/metadata" -> {
        // metric types and help texts are not kept from ingest: an empty answer is valid
        return JSON.objectNode();
      }
      case "/api/v1/query_exemplars" -> {
        // no exemplars are kept; the query is still checked, as Prometheus does
        return JSON.arrayNode();
      }
      case "/api/v1/alerts" -> {
        ArrayNode alerts = JSON.arrayNode();
        for (AlertState.Alert a : rules.activeAlerts()) {
          if (visible(a.labels(), tenants)) {
            alerts.add(alert(a));
          }
        }
        return JSON.objectNode().<ObjectNode>set("alerts", alerts);
      }
      default -> {
        if (path.startsWith("/api/v1/label/") && path.endsWith("/values")) {
          String name = path.substring(14, path.length() - 7);
          Set<String> values = new TreeSet<>();
          for (Labels l : matching(source, tenants, p, now)) {
            String v = l.get(name);
            if (v != null) {
              values.add(v);
            }
          }
          return strings(values);
        }
        return null;
      }
    }
  }

  static void error(HttpServerRequest request, int status, String type, String message) {
    if (request.response().ended()) {
      return;
    }
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(
            JSON.objectNode()
                .put("status", "error")
                .put("errorType", type)
                .put("error", message)
                .toString());
  }

  /** A rule limited to tenants by id ({@code tenants: {id: x}}) shows only to tokens that see x. */
  private static boolean visible(Rule r, TenantScope tenants) {
    return !(r instanceof Rule.Alerting a)
        || !a.tenants().containsKey("id")
        || tenants.allows(a.tenants().get("id"));
  }

  private static boolean visible(Labels labels, TenantScope tenants) {
    return tenants.allows(labels.get("tenant"));
  }

  /**
   * The series (with {@code __name__}) that {@code match[]} selects — every series without it —
   * between {@code start} and {@code end} (all time when they are absent), as Prometheus lists
   * them: the head's series when the range reaches into its window, and from storage those with
   * samples in the range before it.
   */
  private List<Labels> matching(HeadSource source, TenantScope tenants, MultiMap p, long now) {
    List<List<Matcher>> selectors = new ArrayList<>();
    for (String m : p.getAll("match[]")) {
      selectors.add(selector(m));
    }
    if (selectors.isEmpty()) {
      selectors.add(List.of());
    }
    long start = p.get("start") == null ? Long.MIN_VALUE : time(p.get("start"), "start");
    long end = p.get("end") == null ? Long.MAX_VALUE : time(p.get("end"), "end");
    if (end < start) {
      throw new BadRequest(
          "invalid parameter \"end\": end timestamp must not be before start time");
    }
    long headStart = TieredSource.headStart(head, now);
    List<Labels> out = new ArrayList<>();
    for (List<Matcher> sel : selectors) {
      if (end >= headStart) {
        for (Series s : source.candidates(sel, Math.max(start, headStart), end)) {
          out.add(HeadSource.withName(s));
        }
      }
      if (start < headStart) {
        out.addAll(store.series(sel, start, Math.min(end, headStart - 1), tenants));
      }
    }
    return out;
  }

  /**
   * The replicas sharing this collector's database and the tenant shards each holds; a collector on
   * its own lists itself with every shard.
   */
  private ObjectNode cluster(long now) {
    ObjectNode out = JSON.objectNode();
    ArrayNode replicas = JSON.arrayNode();
    if (leases == null) {
      out.put("mode", "single").put("self", "").put("shards", 1);
      return out.<ObjectNode>set("replicas", replicas);
    }
    out.put("mode", "replicas")
        .put("self", leases.replica())
        .put("shards", leases.shards())
        .put("leaseTtl", leases.ttl().toMillis() / 1000.0);
    try {
      for (io.tillwatch.collector.cluster.Leases.Replica r : leases.replicas()) {
        ArrayNode shards = JSON.arrayNode();
        r.shards().forEach(shards::add);
        replicas.add(
            JSON.objectNode()
                .put("name", r.name())
                .put("address", r.address())
                .put("alive", r.heartbeatAt() > now - leases.ttl().toMillis())
                .put("startedAt", java.time.Instant.ofEpochMilli(r.startedAt()).toString())
                .put("lastHeartbeat", java.time.Instant.ofEpochMilli(r.heartbeatAt()).toString())
                .<ObjectNode>set("shards", shards));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("reading the replicas: " + e.getMessage(), e);
    }
    return out.<ObjectNode>set("replicas", replicas);
  }

  private ObjectNode rules(TenantScope tenants) {
    ArrayNode groups = JSON.arrayNode();
    for (RuleEngine.GroupState g : rules.groups()) {
      ArrayNode rs = JSON.arrayNode();
      for (Rule r : g.group().rules()) {
        if (!visible(r, tenants)) {
          continue;
        }
        ObjectNode o =
            JSON.objectNode()
                .put("name", r.name())
                .put("query", r.exprText())
                .<ObjectNode>set("labels", strings(r.labels()))
                .put("health", g.lastError(r) == null ? "ok" : "err");
        if (g.lastError(r) != null && tenants.isAll()) {
          // an error's text can name any tenant's series: only a token for every tenant sees it
          o.put("lastError", g.lastError(r));
        }
        if (r instanceof Rule.Alerting a) {
          ArrayNode alerts = JSON.arrayNode();
          String state = "inactive";
          AlertState st = g.alerts(a);
          for (AlertState.Alert x : st.alerts()) {
            if (x.state() == AlertState.State.INACTIVE || !visible(x.labels(), tenants)) {
              continue;
            }
            alerts.add(alert(x));
            if (x.state() == AlertState.State.FIRING) {
              state = "firing";
            } else if (!state.equals("firing")) {
              state = "pending";
            }
          }
          o.put("type", "alerting")
              .put("duration", a.forDuration().toSeconds())
              .put("keepFiringFor", a.keepFiringFor().toSeconds())
              .<ObjectNode>set("annotations", strings(a.annotations()))
              .put("state", state)
              .<ObjectNode>set("alerts", alerts)
              .put("risk", a.risk() == null ? null : a.risk().key())
              .put("impact", a.impact());
        } else {
          o.put("type", "recording");
        }
        rs.add(o);
      }
      groups.add(
          JSON.objectNode()
              .put("name", g.group().name())
              .put("interval", g.interval().toSeconds())
              .<ObjectNode>set("rules", rs)
              .put("evaluationTime", g.lastDurationSeconds())
              .put(
                  "lastEvaluation",
                  g.lastEvaluation() == 0
                      ? "0001-01-01T00:00:00Z"
                      : Instant.ofEpochMilli(g.lastEvaluation()).toString()));
    }
    return JSON.objectNode().<ObjectNode>set("groups", groups);
  }

  private static ObjectNode alert(AlertState.Alert a) {
    return JSON.objectNode()
        .<ObjectNode>set("labels", json(a.labels()))
        .<ObjectNode>set("annotations", strings(a.annotations()))
        .put("state", a.state() == AlertState.State.FIRING ? "firing" : "pending")
        .put("activeAt", Instant.ofEpochMilli(a.activeAt()).toString())
        .put("value", format(a.value()));
  }

  /** An instant query's answer: every sample at the evaluation time {@code t}, as Prometheus. */
  private static ObjectNode result(Value v, long t) {
    return switch (v) {
      case Value.Scalar s ->
          JSON.objectNode()
              .put("resultType", "scalar")
              .<ObjectNode>set(
                  "result", JSON.arrayNode().add(seconds(s.time())).add(format(s.value())));
      case Value.Str s ->
          JSON.objectNode()
              .put("resultType", "string")
              .<ObjectNode>set("result", JSON.arrayNode().add(seconds(s.time())).add(s.value()));
      case Value.Vector vec -> {
        ArrayNode out = JSON.arrayNode();
        for (Value.Sample s : vec.samples()) {
          out.add(
              JSON.objectNode()
                  .<ObjectNode>set("metric", json(s.labels()))
                  .<ObjectNode>set(
                      "value", JSON.arrayNode().add(seconds(t)).add(format(s.value()))));
        }
        yield JSON.objectNode().put("resultType", "vector").<ObjectNode>set("result", out);
      }
      case Value.Matrix m -> {
        ArrayNode out = JSON.arrayNode();
        for (Value.Series s : m.series()) {
          ArrayNode values = JSON.arrayNode();
          for (int k = 0; k < s.size(); k++) {
            values.add(JSON.arrayNode().add(seconds(s.times()[k])).add(format(s.values()[k])));
          }
          out.add(
              JSON.objectNode()
                  .<ObjectNode>set("metric", json(s.labels()))
                  .<ObjectNode>set("values", values));
        }
        yield JSON.objectNode().put("resultType", "matrix").<ObjectNode>set("result", out);
      }
    };
  }

  /** A number, or null for NaN and infinities (JSON has neither). */
  static void number(ObjectNode n, String field, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  private static ObjectNode json(Labels labels) {
    ObjectNode o = JSON.objectNode();
    for (int i = 0; i < labels.size(); i++) {
      o.put(labels.names().get(i), labels.values().get(i));
    }
    return o;
  }

  private static int compareLabels(Labels a, Labels b) {
    return a.toString().compareTo(b.toString());
  }

  /**
   * A range query's points of one series, written straight out as {@code [[seconds, "value"], …]}
   * instead of a JSON node a point.
   */
  private static final class Points extends com.fasterxml.jackson.databind.JsonSerializable.Base {
    private long[] times = new long[64];
    private double[] values = new double[64];
    private int n;

    void add(long time, double value) {
      if (n == times.length) {
        times = java.util.Arrays.copyOf(times, n * 2);
        values = java.util.Arrays.copyOf(values, n * 2);
      }
      times[n] = time;
      values[n++] = value;
    }

    @Override
    public void serialize(
        com.fasterxml.jackson.core.JsonGenerator g,
        com.fasterxml.jackson.databind.SerializerProvider provider)
        throws java.io.IOException {
      g.writeStartArray();
      for (int i = 0; i < n; i++) {
        g.writeStartArray();
        if (times[i] % 1000 == 0) {
          g.writeNumber(times[i] / 1000);
        } else {
          g.writeNumber(new BigDecimal(times[i]).movePointLeft(3).doubleValue());
        }
        g.writeString(format(values[i]));
        g.writeEndArray();
      }
      g.writeEndArray();
    }

    @Override
    public void serializeWithType(
        com.fasterxml.jackson.core.JsonGenerator g,
        com.fasterxml.jackson.databind.SerializerProvider provider,
        com.fasterxml.jackson.databind.jsontype.TypeSerializer type)
        throws java.io.IOException {
      serialize(g, provider);
    }
  }

  /** Unix seconds with milliseconds, as Prometheus writes them (a JSON number). */
  private static JsonNode seconds(long millis) {
    if (millis % 1000 == 0) {
      return JSON.numberNode(millis / 1000);
    }
    return JSON.numberNode(new BigDecimal(millis).movePointLeft(3).doubleValue());
  }

  private static ObjectNode strings(Map<String, String> map) {
    ObjectNode o = JSON.objectNode();
    new TreeMap<>(map).forEach(o::put);
    return o;
  }

  private static ArrayNode strings(Collection<String> values) {
    ArrayNode a = JSON.arrayNode();
    values.forEach(a::add);
    return a;
  }

  /**
   * A value as Prometheus writes it: Go's 'f' format with the shortest digits that read back the
   * same ({@code -0} kept), NaN / +Inf / -Inf.
   */
  static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    String shortest = Double.toString(v); // the shortest digits, as Go's -1 precision …
    if (shortest.indexOf('E') < 0) {
      return shortest.endsWith(".0") ? shortest.substring(0, shortest.length() - 2) : shortest;
    }
    BigDecimal d = new BigDecimal(shortest).stripTrailingZeros();
    if (d.precision() == 2) {
      // … except that Java writes two digits where one would do (4.9E-324 for 5e-324)
      BigDecimal one = new BigDecimal(v).round(new java.math.MathContext(1));
      if (one.doubleValue() == v) {
        d = one;
      }
    }
    return d.toPlainString();
  }

  /** The expression and times of a query checked, as {@link #answer} will read them. */
  private static void precheck(String path, MultiMap p) {
    switch (path) {
      case "/api/v1/query" -> {
        parse(p.get("query"));
        if (p.get("time") != null) {
          time(p.get("time"), "time");
        }
      }
      case "/api/v1/query_range" ->
          checkRange(
              parse(p.get("query")),
              time(required(p, "start"), "start"),
              time(required(p, "end"), "end"),
              step(required(p, "step")));
      case "/api/v1/query_exemplars" -> {
        parse(p.get("query"));
        long start = time(required(p, "start"), "start");
        if (time(required(p, "end"), "end") < start) {
          throw new BadRequest("end timestamp must not be before start time");
        }
      }
      default -> {}
    }
  }

  private static void checkRange(Expr e, long start, long end, long step) {
    if (end < start) {
      throw new BadRequest("end timestamp must not be before start time");
    }
    if ((end - start) / step > MAX_POINTS) {
      throw new BadRequest(
          "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the"
              + " query resolution (?step=XX)");
    }
    if (e.type() != Expr.ValueType.VECTOR && e.type() != Expr.ValueType.SCALAR) {
      throw new BadRequest(
          "invalid expression type for range query, must be Scalar or instant Vector");
    }
  }

  private static Expr parse(String query) {
    if (query == null || query.isBlank()) {
      throw new BadRequest("invalid parameter \"query\": no expression given");
    }
    try {
      return Parser.parse(query);
    } catch (PromqlException e) {
      throw new BadRequest("invalid parameter \"query\": " + e.getMessage());
    }
  }

  private static List<Matcher> selector(String text) {
    Expr e = parse(text);
    if (!(e instanceof Expr.VectorSelector vs)) {
      throw new BadRequest("invalid parameter \"match[]\": not a series selector: " + text);
    }
    return vs.matchers();
  }

  private static String required(MultiMap p, String name) {
    String v = p.get(name);
    if (v == null || v.isBlank()) {
      throw new BadRequest("invalid parameter \"" + name + "\": missing");
    }
    return v;
  }

  /** Unix seconds (with a fraction) or RFC 3339. */
  static long time(String text, String name) {
    long ms;
    try {
      ms =
          new BigDecimal(text).movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    } catch (NumberFormatException | ArithmeticException notNumber) {
      try {
        ms = Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException | ArithmeticException e) {
        ms = Long.MIN_VALUE;
      }
    }
    if (ms < MIN_TIME || ms > MAX_TIME) {
      throw new BadRequest(
          "invalid parameter \"" + name + "\": cannot parse \"" + text + "\" to a valid timestamp");
    }
    return ms;
  }

  private static long step(String text) {
    long ms;
    try {
      ms =
          new BigDecimal(text).movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      try {
        ms = io.tillwatch.model.Durations.parse(text).toMillis();
        if (ms > MAX_TIME - MIN_TIME) {
          throw new IllegalArgumentException("longer than any range");
        }
      } catch (IllegalArgumentException d) {
        throw new BadRequest(
            "invalid parameter \"step\": cannot parse \"" + text + "\" to a valid duration");
      }
    }
    if (ms <= 0) {
      throw new BadRequest(
          "zero or negative query resolution step widths are not accepted. Try a positive integer");
    }
    return ms;
  }
}
