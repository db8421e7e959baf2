package io.tillwatch.collector.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tillwatch.collector.Access;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.events.Event;
import io.tillwatch.collector.store.EventLog;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Durations;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * {@code /api/v1/events}: {@code POST} records an event of a tenant (a JSON object: {@code type}
 * deploy|maintenance|incident|note, {@code tenant}, {@code service}, {@code version}, {@code at}
 * (RFC 3339 or Unix seconds; default now), {@code duration} (maintenance), {@code text}), stored in
 * PostgreSQL and written as the sample {@code tillwatch_event{…} 1} at its time; {@code GET} lists
 * events ({@code from}, {@code to}: default the last 7 days; {@code tenant}, {@code type}). A token
 * writes and reads only the tenants it is granted; what is wrong with a request is answered with
 * 400 and the field at fault, and nothing is stored.
 */
public final class EventsApi {
  private static final System.Logger LOG = System.getLogger(EventsApi.class.getName());
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The largest body accepted. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** Characters of {@code text}. */
  static final int MAX_TEXT = 4000;

  /** Characters of {@code service} and {@code version} (they become label values). */
  static final int MAX_LABEL = 200;

  /** Events one listing answers at most. */
  static final int MAX_LISTED = 10_000;

  /** A listing's default reach back. */
  static final Duration DEFAULT_RANGE = Duration.ofDays(7);

  private static final Set<String> FIELDS =
      Set.of("type", "tenant", "service", "version", "at", "duration", "text");

  private final Vertx vertx;
  private final Access access;
  private final EventLog log;
  private final Predicate<SampleBatch> write;
  private final io.tillwatch.collector.config.IngestLimits limits;
  private final Clock clock;

  /**
   * @param write queues a batch for storage; false when the queue is full
   * @param limits how far ahead of the clock and how far back an event may be, per tenant (as its
   *     sample: {@code creation_grace_period}, {@code out_of_order_window})
   */
  public EventsApi(
      Vertx vertx,
      Access access,
      EventLog log,
      Predicate<SampleBatch> write,
      io.tillwatch.collector.config.IngestLimits limits,
      Clock clock) {
    this.vertx = vertx;
    this.access = access;
    this.log = log;
    this.write = write;
    this.limits = limits;
    this.clock = clock;
  }

  public void handle(HttpServerRequest request) {
    Optional<TokenGrant> grant = access.authorize(request.getHeader("Authorization"));
    if (grant.isEmpty()) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
      QueryApi.error(request, 401, "unauthorized", "no or unknown bearer token");
      return;
    }
    switch (request.method().name()) {
      case "GET", "HEAD" -> list(request, grant.get());
      case "POST" -> post(request, grant.get());
      default -> {
        request.response().putHeader("Allow", "GET, HEAD, POST");
        QueryApi.error(
            request,
            405,
            "method_not_allowed",
            request.method() + " is not allowed on " + request.path());
      }
    }
  }

  private void post(HttpServerRequest request, TokenGrant grant) {
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(
        chunk -> {
          if (!tooLarge[0] && body.length() + chunk.length() > MAX_BODY_BYTES) {
            tooLarge[0] = true;
          } else if (!tooLarge[0]) {
            body.appendBuffer(chunk);
          }
        });
    request.endHandler(
        v -> {
          if (tooLarge[0]) {
            QueryApi.error(request, 413, "bad_data", "body larger than " + MAX_BODY_BYTES);
            return;
          }
          Event e;
          try {
            e = parse(body.getBytes(), clock.instant());
          } catch (QueryApi.BadRequest bad) {
            QueryApi.error(request, 400, "bad_data", bad.getMessage());
            return;
          }
          if (!grant.allows(e.tenant())) {
            QueryApi.error(
                request,
                403,
                "forbidden",
                "this token may not write events of tenant '" + e.tenant() + "'");
            return;
          }
          vertx
              .executeBlocking(() -> store(e), false)
              .onComplete(
                  ar -> {
                    if (ar.succeeded()) {
                      respond(request, 200, JSON.objectNode().set("data", json(ar.result())));
                    } else {
                      String id = UUID.randomUUID().toString();
                      LOG.log(
                          System.Logger.Level.ERROR,
                          "storing an event failed, id " + id,
                          ar.cause());
                      QueryApi.error(
                          request,
                          503,
                          "unavailable",
                          "cannot store the event now (storage), id " + id + ": try again");
                    }
                  });
        });
  }

  /** Stores the event, then its sample (the event row is what counts; the sample shows it). */
  private Event store(Event e) throws Exception {
    Event stored = log.add(e);
    SampleBatch batch = new SampleBatch();
    batch.add(stored.series(), stored.tenant(), stored.at().toEpochMilli(), 1, false);
    if (!write.test(batch)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "write queue full: event " + stored.id() + " stored without its series sample");
    }
    return stored;
  }

  /** An event from a request body, as of {@code now}; throws naming the field at fault. */
  Event parse(byte[] body, Instant now) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new QueryApi.BadRequest("body is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new QueryApi.BadRequest("body is not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new QueryApi.BadRequest("body must be a JSON object");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new QueryApi.BadRequest(
            "unknown field \""
                + f
                + "\" (known: "
                + String.join(", ", new TreeSet<>(FIELDS))
                + ")");
      }
    }
    Event.Type type;
    try {
      type = Event.Type.parse(text(root, "type", true, 20));
    } catch (IllegalArgumentException e) {
      throw new QueryApi.BadRequest("field \"type\": " + e.getMessage());
    }
    String tenant =
        text(root, "tenant", true, io.tillwatch.collector.config.IngestLimits.MAX_TENANT_ID_LENGTH);
    if (!tenant.matches("[a-z0-9-]+")) {
      throw new QueryApi.BadRequest("field \"tenant\": not a tenant id: '" + tenant + "'");
    }
    String service = text(root, "service", false, MAX_LABEL);
    String version = text(root, "version", false, MAX_LABEL);
    if (type == Event.Type.DEPLOY && version.isEmpty()) {
      throw new QueryApi.BadRequest("field \"version\": a deploy names the version it released");
    }
    Instant at = now;
    if (root.has("at")) {
      JsonNode a = root.get("at");
      if (!a.isTextual() && !a.isNumber()) {
        throw new QueryApi.BadRequest("field \"at\": RFC 3339 text or Unix seconds");
      }
      try {
        at = Instant.ofEpochMilli(QueryApi.time(a.asText(), "at"));
      } catch (QueryApi.BadRequest bad) {
        throw new QueryApi.BadRequest(
            "field \"at\": cannot parse \"" + a.asText() + "\" (RFC 3339 or Unix seconds)");
      }
      io.tillwatch.collector.config.IngestLimits own = limits.of(tenant);
      if (at.isAfter(now.plus(own.creationGracePeriod()))) {
        throw new QueryApi.BadRequest(
            "field \"at\": more than "
                + Durations.format(own.creationGracePeriod())
                + " ahead of the collector's clock (post an event when it happens)");
      }
      if (at.isBefore(now.minus(own.outOfOrderWindow()))) {
        throw new QueryApi.BadRequest(
            "field \"at\": older than "
                + Durations.format(own.outOfOrderWindow())
                + " (limits.out_of_order_window): its series could not be stored");
      }
    }
    Optional<Duration> duration = Optional.empty();
    if (root.has("duration")) {
      if (type != Event.Type.MAINTENANCE && type != Event.Type.INCIDENT) {
        throw new QueryApi.BadRequest(
            "field \"duration\": only maintenance and incident events have a length");
      }
      try {
        Duration d = Durations.parse(text(root, "duration", true, 30));
        if (d.isZero() || d.isNegative() || d.compareTo(Duration.ofDays(31)) > 0) {
          throw new IllegalArgumentException("between 1s and 31d");
        }
        duration = Optional.of(d);
      } catch (IllegalArgumentException e) {
        throw new QueryApi.BadRequest(
            "field \"duration\": " + e.getMessage() + " (e.g. 30m, 2h, 1h30m)");
      }
    }
    String text = text(root, "text", false, MAX_TEXT);
    return new Event(0, type, tenant, service, version, at, duration, text, Optional.empty());
  }

  private static String text(JsonNode root, String field, boolean required, int maxLength) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      if (required) {
        throw new QueryApi.BadRequest("field \"" + field + "\": missing");
      }
      return "";
    }
    if (!n.isTextual()) {
      throw new QueryApi.BadRequest("field \"" + field + "\": must be text");
    }
    String s = n.asText().strip();
    if (required && s.isEmpty()) {
      throw new QueryApi.BadRequest("field \"" + field + "\": empty");
    }
    if (s.length() > maxLength) {
      throw new QueryApi.BadRequest(
          "field \"" + field + "\": longer than " + maxLength + " characters");
    }
    return s;
  }

  private void list(HttpServerRequest request, TokenGrant grant) {
    Instant to;
    Instant from;
    Optional<Event.Type> type;
    Set<String> tenants;
    try {
      String toText = request.getParam("to");
      to = toText == null ? clock.instant() : Instant.ofEpochMilli(QueryApi.time(toText, "to"));
      String fromText = request.getParam("from");
      from =
          fromText == null
              ? to.minus(DEFAULT_RANGE)
              : Instant.ofEpochMilli(QueryApi.time(fromText, "from"));
      if (to.isBefore(from)) {
        throw new QueryApi.BadRequest("invalid parameter \"to\": before \"from\"");
      }
      String typeText = request.getParam("type");
      try {
        type = Optional.ofNullable(typeText).map(Event.Type::parse);
      } catch (IllegalArgumentException e) {
        throw new QueryApi.BadRequest("invalid parameter \"type\": " + e.getMessage());
      }
      List<String> asked = request.params().getAll("tenant");
      if (!asked.isEmpty()) {
        for (String t : asked) {
          if (!grant.allows(t)) {
            throw new QueryApi.NotFound("no tenant '" + t + "' for this token");
          }
        }
        tenants = Set.copyOf(asked);
      } else {
        tenants = grant.allowsAll() ? null : grant.tenants();
      }
    } catch (QueryApi.BadRequest bad) {
      QueryApi.error(request, 400, "bad_data", bad.getMessage());
      return;
    } catch (QueryApi.NotFound nf) {
      QueryApi.error(request, 404, "not_found", nf.getMessage());
      return;
    }
    Instant f = from;
    Instant t = to;
    vertx
        .executeBlocking(() -> log.list(f, t, tenants, type, MAX_LISTED), false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                ArrayNode data = JSON.arrayNode();
                ar.result().forEach(e -> data.add(json(e)));
                respond(request, 200, JSON.objectNode().set("data", data));
              } else {
                QueryApi.error(
                    request,
                    503,
                    "unavailable",
                    "cannot read events now (storage): " + ar.cause().getMessage());
              }
            });
  }

  /** An event as the API shows it. */
  static ObjectNode json(Event e) {
    ObjectNode o =
        JSON.objectNode()
            .put("id", e.id())
            .put("type", e.type().id())
            .put("tenant", e.tenant())
            .put("service", e.service())
            .put("version", e.version())
            .put("at", e.at().toString())
            .put("text", e.text());
    e.duration().ifPresent(d -> o.put("duration", Durations.format(d)));
    e.end().ifPresent(end -> o.put("ends_at", end.toString()));
    e.verdict()
        .ifPresent(
            v ->
                o.putObject("verdict")
                    .put("healthy", v.healthy())
                    .put("text", v.text())
                    .put("decided_at", v.decidedAt().toString()));
    return o;
  }

  private static void respond(HttpServerRequest request, int status, ObjectNode body) {
    if (request.response().ended()) {
      return;
    }
    ObjectNode out = JSON.objectNode().put("status", "success");
    out.setAll(body);
    request
        .response()
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(out.toString());
  }
}
