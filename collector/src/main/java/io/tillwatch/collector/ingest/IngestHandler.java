package io.tillwatch.collector.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.tillwatch.collector.Access;
import io.tillwatch.collector.config.IngestLimits;
import io.tillwatch.collector.config.TokenGrant;
import io.tillwatch.collector.head.Head;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Series;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/metrics}: authenticates the bearer token, reads the body (bounded), decodes it on
 * a worker thread, checks every series' tenant against the token, queues the samples and answers
 * 200 only once they are committed. 401 without a known token, 403 for a foreign tenant (nothing of
 * the request stored), 400 for a body that is not OTLP, 413 for one too large, 429 with {@code
 * Retry-After} when the write queue is full, 503 when storage fails.
 */
public final class IngestHandler {
  private static final System.Logger LOG = System.getLogger(IngestHandler.class.getName());

  private final Vertx vertx;
  private final Access access;
  private final WriteQueue queue;
  private final int maxBodyBytes;
  private final MeterRegistry meters;
  private final Counter accepted;
  private final IngestLimits limits;
  private final Head head;
  private final java.time.Clock clock;
  private final java.util.function.Predicate<String> committed;
  private final java.util.concurrent.atomic.AtomicLong inFlight =
      new java.util.concurrent.atomic.AtomicLong();
  private final long maxBytesInFlight;
  private final Counter duplicates;
  private final java.util.concurrent.ConcurrentHashMap<String, CompletableFuture<Void>> inflight =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param limits what each tenant may write
   * @param head the active series, which {@code max_series_per_tenant} counts
   * @param clock the time samples without one get, and the window of accepted times is around
   * @param committed whether a request of this {@value #BATCH_ID} has been committed (blocking)
   */
  public IngestHandler(
      Vertx vertx,
      Access access,
      WriteQueue queue,
      int maxBodyBytes,
      MeterRegistry meters,
      IngestLimits limits,
      Head head,
      java.time.Clock clock,
      java.util.function.Predicate<String> committed) {
    this.vertx = vertx;
    this.access = access;
    this.queue = queue;
    this.maxBodyBytes = maxBodyBytes;
    this.meters = meters;
    this.limits = limits;
    this.head = head;
    this.clock = clock;
    this.committed = committed;
    this.maxBytesInFlight = 8L * maxBodyBytes;
    this.duplicates =
        Counter.builder("tillwatch.collector.ingest.duplicate.batches")
            .description("Requests acknowledged again without storing: a retry of one committed.")
            .register(meters);
    this.accepted =
        Counter.builder("tillwatch.collector.samples.accepted")
            .description("Samples acknowledged to senders (committed).")
            .register(meters);
  }

  public void handle(HttpServerRequest request) {
    String contentType = request.getHeader("Content-Type");
    boolean json =
        contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/json");
    Optional<TokenGrant> grant = access.authorize(request.getHeader("Authorization"));
    if (grant.isEmpty()) {
      request.response().putHeader("WWW-Authenticate", "Bearer");
      fail(request, json, 401, "no or unknown bearer token");
      return;
    }
    String length = request.getHeader("Content-Length");
    if (length != null && parseLong(length) > maxBodyBytes) {
      fail(request, json, 413, "body larger than " + maxBodyBytes + " bytes");
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    boolean[] busy = {false};
    // bodies being read or decoded hold memory: past the cap a request waits for its turn (429)
    long[] held = {0};
    Runnable release =
        () -> {
          inFlight.addAndGet(-held[0]);
          held[0] = 0;
        };
    request.handler(
        chunk -> {
          if (tooLarge[0] || busy[0]) {
            return;
          }
          if (body.length() + chunk.length() > maxBodyBytes) {
            tooLarge[0] = true;
            release.run();
            return;
          }
          if (inFlight.addAndGet(chunk.length()) > maxBytesInFlight) {
            inFlight.addAndGet(-chunk.length());
            busy[0] = true;
            release.run();
            return;
          }
          held[0] += chunk.length();
          body.appendBuffer(chunk);
        });
    request.exceptionHandler(
        e -> {
          release.run();
          LOG.log(System.Logger.Level.DEBUG, "ingest request failed", e);
        });
    request.endHandler(
        v -> {
          if (busy[0]) {
            request.response().putHeader("Retry-After", "1");
            fail(
                request,
                json,
                429,
                "more than " + maxBytesInFlight + " bytes of requests being read at once");
            return;
          }
          if (tooLarge[0]) {
            fail(request, json, 413, "body larger than " + maxBodyBytes + " bytes");
            return;
          }
          String encoding = request.getHeader("Content-Encoding");
          String batchId = request.getHeader(BATCH_ID);
          if (batchId != null && (batchId.isBlank() || batchId.length() > 200)) {
            fail(request, json, 400, BATCH_ID + " must be 1 to 200 characters");
            return;
          }
          vertx
              .executeBlocking(
                  () -> {
                    if (batchId != null && known(batchId)) {
                      return DUPLICATE_PREPARED; // its answer was lost: acknowledged again
                    }
                    OtlpMetricsDecoder decoder = new OtlpMetricsDecoder(maxBodyBytes, limits);
                    ExportMetricsServiceRequest parsed =
                        decoder.parse(body.getBytes(), contentType, encoding);
                    OtlpMetricsDecoder.Decoded d = decoder.decode(parsed, clock.millis());
                    allowed(grant.get(), d); // before any series is admitted for a tenant
                    // the active-series limit, here on a worker: a batch can hold a million samples
                    Rejections r = new Rejections(d);
                    List<Series> admitted = new ArrayList<>();
                    return new Prepared(d, withinSeriesLimits(d.batch(), r, admitted), r, admitted);
                  },
                  false)
              .onComplete(
                  ar -> {
                    release.run(); // decoded: the body's bytes are no longer held
                    if (ar.failed()) {
                      if (ar.cause() instanceof IngestException e) {
                        fail(request, json, e.status(), e.getMessage());
                      } else if (ar.cause() instanceof StorageUnavailable u) {
                        // not the request's fault: the sender keeps it and tries again
                        request.response().putHeader("Retry-After", "5");
                        fail(request, json, 503, u.getMessage());
                      } else {
                        LOG.log(System.Logger.Level.WARNING, "decoding failed", ar.cause());
                        fail(request, json, 400, "cannot decode the body: " + ar.cause());
                      }
                      return;
                    }
                    if (ar.result() == DUPLICATE_PREPARED) {
                      duplicates.increment();
                      ok(request, json, DUPLICATE_PREPARED.rejections());
                      return;
                    }
                    store(request, json, ar.result(), batchId);
                  });
        });
  }

  private void store(HttpServerRequest request, boolean json, Prepared prepared, String batchId) {
    Rejections rejections = prepared.rejections();
    SampleBatch batch = prepared.batch();
    rejections.count(meters);
    if (batch.size() == 0) {
      if (rejections.total > 0) {
        fail(
            request,
            json,
            400,
            rejections.total + " samples rejected, none kept: " + rejections.firstReason);
      } else {
        ok(request, json, rejections);
      }
      return;
    }
    if (batchId != null) {
      // the same request still being written (a sender that gave up waiting and retried):
      // answered as that one is, never queued twice
      CompletableFuture<Void> mine = new CompletableFuture<>();
      CompletableFuture<Void> first = inflight.putIfAbsent(batchId, mine);
      if (first != null) {
        duplicates.increment();
        first.whenComplete(
            (ok, error) ->
                vertx.runOnContext(
                    x ->
                        answer(
                            request, json, batch, rejections, prepared.admitted(), error, false)));
        return;
      }
      batch.withBatchId(batchId);
      CompletableFuture<Void> written = queue.offer(batch);
      if (written == null) {
        inflight.remove(batchId, mine);
        mine.completeExceptionally(new QueueFull());
        answer(request, json, batch, rejections, prepared.admitted(), new QueueFull(), true);
        return;
      }
      written.whenComplete(
          (ok, error) -> {
            inflight.remove(batchId, mine);
            if (error == null) {
              mine.complete(null);
            } else {
              mine.completeExceptionally(error);
            }
            vertx.runOnContext(
                x -> answer(request, json, batch, rejections, prepared.admitted(), error, true));
          });
      return;
    }
    CompletableFuture<Void> committed = queue.offer(batch);
    if (committed == null) {
      answer(request, json, batch, rejections, prepared.admitted(), new QueueFull(), true);
      return;
    }
    committed.whenComplete(
        (ok, error) ->
            vertx.runOnContext(
                x -> answer(request, json, batch, rejections, prepared.admitted(), error, true)));
  }

  /** A write's outcome as the request's answer; {@code own}: its samples count as accepted. */
  private void answer(
      HttpServerRequest request,
      boolean json,
      SampleBatch batch,
      Rejections rejections,
      List<Series> admitted,
      Throwable error,
      boolean own) {
    if (error != null) {
      head.release(admitted); // not written: the tenant's limit no longer counts them
    }
    if (error instanceof QueueFull) {
      request.response().putHeader("Retry-After", "1");
      fail(
          request,
          json,
          429,
          "write queue full, or these tenants hold their share of it: "
              + queue.queuedSamples()
              + " samples waiting");
    } else if (error instanceof WriteQueue.RejectedData refused) {
      fail(
          request,
          json,
          400,
          "storage refused this request's data (nothing of it stored): " + refused.getMessage());
    } else if (error != null) {
      request.response().putHeader("Retry-After", "5");
      fail(request, json, 503, "storage unavailable: " + error.getMessage());
    } else {
      if (own) {
        accepted.increment(batch.size());
      }
      ok(request, json, rejections);
    }
  }

  /** Whether a request of this id was committed; storage's failure to say is not the request's. */
  private boolean known(String batchId) {
    try {
      return committed.test(batchId);
    } catch (RuntimeException e) {
      throw new StorageUnavailable("storage unavailable: " + e.getMessage());
    }
  }

  /** Storage could not answer what a request needs: 503, the sender tries again. */
  private static final class StorageUnavailable extends RuntimeException {
    StorageUnavailable(String message) {
      super(message, null, false, false);
    }
  }

  /** The write queue (or this tenant's share) had no room. */
  private static final class QueueFull extends RuntimeException {
    QueueFull() {
      super("write queue full", null, false, false);
    }
  }

  /** The header a sender names its request with, the same on every retry of it. */
  public static final String BATCH_ID = "X-Tillwatch-Batch-Id";

  /** A decoded request and what of it is within the series limits. */
  private record Prepared(
      OtlpMetricsDecoder.Decoded decoded,
      SampleBatch batch,
      Rejections rejections,
      List<Series> admitted) {}

  private static final Prepared DUPLICATE_PREPARED;

  static {
    OtlpMetricsDecoder.Decoded none =
        new OtlpMetricsDecoder.Decoded(new SampleBatch(), 0, "", Map.of());
    DUPLICATE_PREPARED = new Prepared(none, none.batch(), new Rejections(none), List.of());
  }

  private void ok(HttpServerRequest request, boolean json, Rejections r) {
    byte[] body = OtlpResponses.success(json, r.total, r.firstReason);
    respond(request.response(), json, 200, body);
  }

  /** A request's samples left out, by tenant and reason; counted once it is answered. */
  private static final class Rejections {
    final Map<String, Map<String, Long>> byTenant = new HashMap<>();
    long total;
    String firstReason;

    Rejections(OtlpMetricsDecoder.Decoded d) {
      d.rejected().forEach((t, m) -> byTenant.put(t, new HashMap<>(m)));
      total = d.rejectedPoints();
      firstReason = d.rejectReason();
    }

    void add(String tenant, String reason, String text) {
      byTenant.computeIfAbsent(tenant, t -> new HashMap<>()).merge(reason, 1L, Long::sum);
      if (total++ == 0) {
        firstReason = text;
      }
    }

    void count(MeterRegistry meters) {
      byTenant.forEach(
          (tenant, reasons) ->
              reasons.forEach(
                  (reason, n) ->
                      Counter.builder("tillwatch.ingest.rejected.samples")
                          .description("Samples not stored because they broke a limit, by reason.")
                          .tag("tenant", tenant)
                          .tag("reason", reason)
                          .register(meters)
                          .increment(n)));
    }
  }

  /** Refuses (403) a request that writes a tenant its token may not write. */
  private static void allowed(TokenGrant grant, OtlpMetricsDecoder.Decoded decoded) {
    Set<String> tenants = new HashSet<>(decoded.batch().tenants());
    tenants.addAll(decoded.rejected().keySet());
    tenants.remove(OtlpMetricsDecoder.INVALID_TENANT);
    for (String tenant : tenants) {
      if (!grant.allows(tenant)) {
        throw new IngestException(403, "this token may not write tenant '" + tenant + "'");
      }
    }
  }

  /**
   * The samples whose series the head holds, or that a tenant under its {@code
   * max_series_per_tenant} may add (admitted, in {@code admitted}, until written or released); the
   * others are rejected ({@code per_tenant_series_limit}).
   */
  private SampleBatch withinSeriesLimits(
      SampleBatch batch, Rejections rejections, List<Series> admitted) {
    return batch.filter(
        i -> {
          Series s = batch.series(i);
          if (head.contains(s)) {
            return true; // almost every sample: nothing more on the hot path
          }
          String tenant = s.tenant();
          return switch (head.admit(s, limits.of(tenant).maxSeriesPerTenant())) {
            case KNOWN -> true;
            case ADMITTED -> admitted.add(s);
            case REFUSED -> {
              rejections.add(
                  tenant,
                  "per_tenant_series_limit",
                  "tenant "
                      + tenant
                      + " has "
                      + limits.of(tenant).maxSeriesPerTenant()
                      + " active series (max_series_per_tenant)");
              yield false;
            }
          };
        });
  }

  private void fail(HttpServerRequest request, boolean json, int status, String reason) {
    meters
        .counter("tillwatch.collector.ingest.rejected", "code", Integer.toString(status))
        .increment();
    int code =
        switch (status) {
          case 401 -> OtlpResponses.UNAUTHENTICATED;
          case 403 -> OtlpResponses.PERMISSION_DENIED;
          case 429 -> OtlpResponses.RESOURCE_EXHAUSTED;
          case 503 -> OtlpResponses.UNAVAILABLE;
          default -> OtlpResponses.INVALID_ARGUMENT;
        };
    respond(request.response(), json, status, OtlpResponses.status(json, code, reason));
  }

  private static void respond(HttpServerResponse response, boolean json, int status, byte[] body) {
    if (response.ended() || response.closed()) {
      return;
    }
    response
        .setStatusCode(status)
        .putHeader("Content-Type", json ? "application/json" : "application/x-protobuf")
        .end(Buffer.buffer(body));
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
