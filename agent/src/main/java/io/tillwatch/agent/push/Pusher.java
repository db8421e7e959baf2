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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Pushes scrape results to the collector as OTLP/HTTP protobuf. Every batch goes through the
 * on-disk {@link DiskBuffer} first; one sender thread sends the oldest batch and deletes it only
 * once the collector answered 2xx (it has committed), so batches arrive in order and survive a
 * collector outage and an agent restart. On 429, 5xx, 401/403 or no answer it retries with backoff
 * (honouring {@code Retry-After}); a batch the collector calls malformed (other 4xx) can never
 * succeed and is dropped, counted as rejected.
 */
public final class Pusher implements AutoCloseable, HealthCheck {
  private static final System.Logger LOG = System.getLogger(Pusher.class.getName());
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

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
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
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
    while (!closed) {
      DiskBuffer.Batch b = buffer.oldest();
      if (b == null || backoffMs > 0) {
        await(b == null ? 1000 : backoffMs);
        if (b != null) {
          backoffMs = 0;
          continue;
        }
        continue;
      }
      long retryAfter = send(b);
      backoffMs = retryAfter;
    }
  }

  private long failures;

  /** Sends one batch; 0 when done with it, else how long to wait before trying again. */
  private long send(DiskBuffer.Batch b) {
    int status;
    String retryAfter = null;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(config.url())
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/x-protobuf")
              .header("Authorization", "Bearer " + config.token().reveal())
              .POST(HttpRequest.BodyPublishers.ofByteArray(b.read()))
              .build();
      HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
      status = r.statusCode();
      retryAfter = r.headers().firstValue("Retry-After").orElse(null);
    } catch (IOException e) {
      return failed("unreachable", e.getMessage() == null ? e.toString() : e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
      return 0;
    }
    if (status >= 200 && status < 300) {
      buffer.remove(b);
      sent.increment(b.samples());
      lastSuccess.set(System.currentTimeMillis());
      health.succeeded();
      if (failures > 0) {
        LOG.log(System.Logger.Level.INFO, "pushing to " + config.url() + " works again");
      }
      failures = 0;
      return 0;
    }
    if (status == 429 || status >= 500 || status == 401 || status == 403 || status == 408) {
      return failed("http_" + status, "HTTP " + status, retryAfter);
    }
    // malformed for the collector: retrying cannot help
    buffer.remove(b);
    rejected.increment(b.samples());
    LOG.log(
        System.Logger.Level.ERROR,
        "the collector refused a batch of " + b.samples() + " samples with HTTP " + status);
    return 0;
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
  }
}
