package io.tillwatch.agent.push;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tillwatch.agent.config.PushConfig;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pushes scrape results to the collector as OTLP/HTTP protobuf. Every batch goes through the
 * on-disk {@link DiskBuffer} first; one sender thread sends the oldest batch and deletes it only
 * once the collector answered 2xx (it has committed), so batches arrive in order and survive a
 * collector outage and an agent restart. What the collector answers decides what happens:
 *
 * <ul>
 *   <li>429, 5xx, 408 or no answer: retried with backoff (honouring {@code Retry-After});
 *   <li>404: kept and retried (a wrong push URL is a misconfiguration, not bad data), said so;
 *   <li>403: the batch is split by tenant and each part sent; the parts of tenants the token may
 *       not write are held aside ({@link DiskBuffer#hold}) and retried every minute, so granted
 *       tenants keep flowing; 401 (an unknown token) holds the whole batch the same way;
 *   <li>400, 413, 415 and other 4xx: the batch can never succeed, it is dropped and counted.
 * </ul>
 *
 * Every refusal counts in {@code tillwatch_push_rejected_total{reason}}. The sender never dies:
 * whatever fails in it (an unreadable batch file) is counted and retried.
 */
public final class Pusher implements AutoCloseable, HealthCheck {
  private static final System.Logger LOG = System.getLogger(Pusher.class.getName());
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  /** How often the oldest held batch (refused for its tenant) is tried again. */
  static final Duration HELD_RETRY = Duration.ofMinutes(1);

  private final PushConfig config;
  private final DiskBuffer buffer;
  private final HttpClient http;
  private final List<OtlpEncoder.Scrape> pending = new ArrayList<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition work = lock.newCondition();
  private final Thread sender;
  private final Counter queued;
  private final Counter sent;
  private final Counter dropped;
  private final Counter rejected;
  private final MeterRegistry meters;
  private final AtomicLong lastSuccess = new AtomicLong();
  private volatile boolean closed;
  private final HealthState health;

  public Pusher(PushConfig config, MeterRegistry meters) {
    this(config, meters, java.time.Clock.systemUTC());
  }

  public Pusher(PushConfig config, MeterRegistry meters, java.time.Clock clock) {
    this.health = new HealthState(clock);
    this.config = config;
    this.meters = meters;
    this.buffer = new DiskBuffer(config.bufferDir(), config.bufferBytes());
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1);
    config.caFile().ifPresent(ca -> client.sslContext(trusting(ca, "agent.push.ca_file")));
    this.http = client.build();
    this.queued =
        Counter.builder("tillwatch.agent.push.samples")
            .description("Samples put in the push buffer.")
            .register(meters);
    this.sent =
        Counter.builder("tillwatch.agent.push.sent.samples")
            .description("Samples the collector acknowledged (committed).")
            .register(meters);
    this.dropped =
        Counter.builder("tillwatch.agent.push.dropped.samples")
            .description("Samples dropped because the push buffer was full (oldest first).")
            .register(meters);
    this.rejected =
        Counter.builder("tillwatch.agent.push.rejected.samples")
            .description("Samples the collector refused as malformed (HTTP 400/413/415).")
            .register(meters);
    Gauge.builder("tillwatch.agent.push.buffer.bytes", buffer, DiskBuffer::bytes)
        .description("Bytes waiting in the push buffer.")
        .register(meters);
    Gauge.builder("tillwatch.agent.push.buffer.batches", buffer, DiskBuffer::size)
        .description("Batches waiting in the push buffer.")
        .register(meters);
    Gauge.builder(
            "tillwatch.agent.push.last.success.timestamp.seconds",
            lastSuccess,
            a -> a.get() / 1000.0)
        .description("Unix time of the last batch the collector acknowledged.")
        .register(meters);
    this.sender = Thread.ofVirtual().name("tillwatch-push").unstarted(this::sendLoop);
  }

  /**
   * Ok while batches reach the collector; failing with the reason since the first failed attempt
   * (the batches wait on disk meanwhile).
   */
  @Override
  public Health check() {
    return health.check();
  }

  public Pusher start() {
    sender.start();
    return this;
  }

  /**
   * TLS that trusts the system's CAs and {@code ca} (PEM, one or more certificates); an unusable
   * file is a startup error of {@code setting}.
   */
  public static javax.net.ssl.SSLContext trusting(java.nio.file.Path ca, String setting) {
    try {
      javax.net.ssl.SSLContext ssl = javax.net.ssl.SSLContext.getInstance("TLS");
      ssl.init(
          null,
          new javax.net.ssl.TrustManager[] {
            io.tillwatch.agent.tls.TrustStores.systemAnd(java.util.Optional.of(ca))
          },
          null);
      return ssl;
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new io.tillwatch.config.StartupException(
          setting, "cannot use " + ca + " as a CA: " + e.getMessage(), e);
    }
  }

  /** Its settings. */
  public PushConfig config() {
    return config;
  }

  /** Keeps one scrape's samples for the next {@link #flush}; any thread. */
  public void add(OtlpEncoder.Scrape scrape) {
    lock.lock();
    try {
      pending.add(scrape);
    } finally {
      lock.unlock();
    }
  }

  /** Writes what was added since the last flush to the buffer as one batch (blocking I/O). */
  public void flush() {
    List<OtlpEncoder.Scrape> batch;
    lock.lock();
    try {
      if (pending.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(pending);
      pending.clear();
    } finally {
      lock.unlock();
    }
    int samples = 0;
    for (OtlpEncoder.Scrape s : batch) {
      samples += s.samples().size();
    }
    long lost = buffer.append(OtlpEncoder.encode(batch).toByteArray(), samples);
    queued.increment(samples);
    if (lost > 0) {
      dropped.increment(lost);
      LOG.log(
          System.Logger.Level.WARNING,
          "push buffer full (" + config.bufferBytes() + " bytes): dropped " + lost + " samples");
    }
    lock.lock();
    try {
      work.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Samples put in the buffer since this pusher started. */
  public long queuedSamples() {
    return (long) queued.count();
  }

  /** Samples the collector acknowledged since this pusher started. */
  public long sentSamples() {
    return (long) sent.count();
  }

  /** Samples dropped from a full buffer since this pusher started. */
  public long droppedSamples() {
    return (long) dropped.count();
  }

  /** The buffer (for status and tests). */
  public DiskBuffer buffer() {
    return buffer;
  }

  private void sendLoop() {
    long backoffMs = 0;
    long heldAt = System.currentTimeMillis();
    while (!closed) {
      try {
        if (backoffMs > 0) {
          await(backoffMs);
          backoffMs = 0;
          continue;
        }
        if (System.currentTimeMillis() - heldAt >= HELD_RETRY.toMillis()) {
          heldAt = System.currentTimeMillis();
          retryHeld();
        }
        DiskBuffer.Batch b = buffer.oldest();
        if (b == null) {
          await(1000);
          continue;
        }
        backoffMs = send(b);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed = true;
      } catch (RuntimeException e) { // the sender never dies: counted, said, tried again
        backoffMs = failed("internal", e.toString(), null);
        LOG.log(System.Logger.Level.ERROR, "pushing failed in the agent itself", e);
      }
    }
  }

  private long failures;

  /** An answer of the collector: status, {@code Retry-After}, and its reason (the message). */
  private record Answer(int status, String retryAfter, String reason) {}

  /** The header that names a request, the same on every retry: the collector stores it once. */
  static final String BATCH_ID = "X-Tillwatch-Batch-Id";

  private Answer post(byte[] body, String id) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(config.url())
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/x-protobuf")
            .header("Authorization", "Bearer " + config.token().reveal())
            .header(BATCH_ID, id)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(
        r.statusCode(),
        r.headers().firstValue("Retry-After").orElse(null),
        OtlpEncoder.statusMessage(r.body()));
  }

  /** Sends one batch; 0 when done with it, else how long to wait before trying again. */
  private long send(DiskBuffer.Batch b) throws InterruptedException {
    byte[] body;
    try {
      body = b.read();
    } catch (java.io.UncheckedIOException e) {
      if (!java.nio.file.Files.exists(b.file())) {
        buffer.remove(b); // dropped to make room meanwhile, or removed by hand
        return 0;
      }
      throw e;
    }
    Answer a;
    try {
      a = post(body, buffer.id(b));
    } catch (IOException e) {
      return failed("unreachable", e.getMessage() == null ? e.toString() : e.getMessage(), null);
    }
    int status = a.status();
    if (status >= 200 && status < 300) {
      buffer.remove(b);
      acknowledged(b.samples());
      return 0;
    }
    if (status == 429 || status >= 500 || status == 408) {
      return failed("http_" + status, "HTTP " + status + " " + a.reason(), a.retryAfter());
    }
    if (status == 404) {
      refusedCount("not_found");
      return failed(
          "http_404",
          "HTTP 404: is agent.push.url the collector's /v1/metrics? (batches kept)",
          a.retryAfter());
    }
    if (status == 401) {
      refusedCount("unauthorized");
      buffer.hold(b);
      return failed(
          "http_401",
          "HTTP 401: the collector does not know the push token (batches held aside)",
          null);
    }
    if (status == 403) {
      return forbidden(b, body, a);
    }
    // malformed for the collector: retrying cannot help
    buffer.remove(b);
    rejected.increment(b.samples());
    refusedCount(status == 413 ? "too_large" : status == 415 ? "unsupported" : "bad_request");
    LOG.log(
        System.Logger.Level.ERROR,
        "the collector refused a batch of "
            + b.samples()
            + " samples with HTTP "
            + status
            + ": "
            + a.reason()
            + " (dropped)");
    return 0;
  }

  /**
   * A batch refused for a tenant the token may not write: each tenant's part sent alone, named
   * after the batch and the tenant (the same on every attempt, so the collector stores a part
   * once). When every part has its final answer, refused parts are held aside and the batch goes;
   * when one could not be delivered (no answer, 429, 5xx) the whole is tried again later.
   */
  private long forbidden(DiskBuffer.Batch b, byte[] body, Answer a) throws InterruptedException {
    Map<String, OtlpEncoder.Part> parts = OtlpEncoder.splitByTenant(body);
    String id = buffer.id(b);
    if (parts.size() <= 1) {
      refusedCount("forbidden");
      buffer.hold(b);
      failed("http_403", "HTTP 403: " + a.reason() + " (held aside)", null);
      return 0; // the next batches go on
    }
    Map<String, OtlpEncoder.Part> refusedParts = new java.util.LinkedHashMap<>();
    long delivered = 0;
    for (Map.Entry<String, OtlpEncoder.Part> p : parts.entrySet()) {
      Answer r;
      try {
        r = post(p.getValue().body(), id + "/" + p.getKey());
      } catch (IOException e) {
        return failed("unreachable", e.getMessage() == null ? e.toString() : e.getMessage(), null);
      }
      if (r.status() >= 200 && r.status() < 300) {
        delivered += p.getValue().samples();
      } else if (r.status() == 403 || r.status() == 401) {
        refusedParts.put(p.getKey(), p.getValue());
      } else if (r.status() == 429 || r.status() >= 500 || r.status() == 408) {
        return failed("http_" + r.status(), "HTTP " + r.status() + " " + r.reason(), null);
      } else {
        rejected.increment(p.getValue().samples());
        refusedCount("bad_request");
      }
    }
    acknowledged(delivered);
    refusedParts.forEach(
        (tenant, part) -> {
          refusedCount("forbidden");
          buffer.hold(part.body(), part.samples());
        });
    buffer.remove(b);
    if (!refusedParts.isEmpty()) {
      failed(
          "http_403",
          "HTTP 403 for tenants " + refusedParts.keySet() + ": " + a.reason() + " (held aside)",
          null);
    }
    return 0;
  }

  /** Tries the oldest held batch again: gone once taken, else to the back of the held ones. */
  private void retryHeld() throws InterruptedException {
    DiskBuffer.Batch h = buffer.oldestHeld();
    if (h == null) {
      return;
    }
    try {
      Answer a = post(h.read(), buffer.id(h));
      if (a.status() >= 200 && a.status() < 300) {
        buffer.remove(h);
        acknowledged(h.samples());
      } else {
        buffer.rotateHeld(h);
      }
    } catch (IOException e) {
      // the collector is away: the held batch waits for the next round
    }
  }

  private void acknowledged(long samples) {
    sent.increment(samples);
    lastSuccess.set(System.currentTimeMillis());
    health.succeeded();
    if (failures > 0) {
      LOG.log(System.Logger.Level.INFO, "pushing to " + config.url() + " works again");
    }
    failures = 0;
  }

  private void refusedCount(String reason) {
    Counter.builder("tillwatch.push.rejected")
        .description("Batches (or tenants' parts) the collector refused, by reason.")
        .tag("reason", reason)
        .register(meters)
        .increment();
  }

  private long failed(String reason, String detail, String retryAfter) {
    meters.counter("tillwatch.agent.push.failures", "reason", reason).increment();
    health.failed("cannot push to " + config.url() + ": " + detail + " (buffering on disk)");
    if (failures == 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "cannot push to " + config.url() + " (" + detail + "): buffering on disk");
    }
    failures++;
    long backoff = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(6, failures - 1));
    if (retryAfter != null) {
      try {
        backoff = Math.min(MAX_BACKOFF.toMillis(), Long.parseLong(retryAfter.trim()) * 1000L);
      } catch (NumberFormatException ignored) {
        // an HTTP date: keep our own backoff
      }
    }
    return Math.max(100, backoff);
  }

  private void await(long millis) {
    lock.lock();
    try {
      if (!closed) {
        work.await(millis, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /** Flushes what is pending to disk and stops sending; the buffer keeps the rest. */
  @Override
  public void close() {
    flush();
    closed = true;
    lock.lock();
    try {
      work.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      sender.join(Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    buffer.close();
  }
}
