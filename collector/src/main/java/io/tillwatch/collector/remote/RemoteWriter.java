package io.tillwatch.collector.remote;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tillwatch.collector.config.RemoteWriteConfig;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.model.Series;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Forwards what the collector commits to one remote-write endpoint (Prometheus remote-write 1.0: a
 * protobuf {@code WriteRequest}, snappy block compression, {@code X-Prometheus-Remote-Write-
 * Version: 0.1.0}). Samples go into {@code shards} queues on disk by series (a series keeps its
 * order), each drained by a sender: up to {@code max_samples_per_send} a request, one tenant a
 * request when the tenant goes in a header or the URL. Answers: 2xx sent; 429, 5xx and no answer
 * retried with backoff (30 ms doubling to 5 s) while the queue holds them; other 4xx dropped,
 * counted and logged with the endpoint's reason (a recurring reason at most every 5 minutes).
 */
public final class RemoteWriter implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RemoteWriter.class.getName());

  private final RemoteWriteConfig config;
  private final boolean oneTenant;
  private final SegmentLog[] shards;
  private final List<Thread> senders = new ArrayList<>();
  private final Counter sent;
  private final Counter failed;
  private final Counter retried;
  private final AtomicLong highestQueued = new AtomicLong();
  private final AtomicLong highestSent = new AtomicLong();
  private volatile boolean closed;
  private volatile String lastFailure = "";
  private final FailureLog failureLog = new FailureLog(300_000, System::currentTimeMillis);

  public RemoteWriter(RemoteWriteConfig config, MeterRegistry meters) {
    this.config = config;
    this.oneTenant =
        config.tenantHeader().isPresent()
            || config.url().toString().contains(RemoteWriteConfig.ACCOUNT_PLACEHOLDER);
    this.shards = new SegmentLog[config.shards()];
    for (int i = 0; i < shards.length; i++) {
      shards[i] =
          new SegmentLog(
              config.dir().resolve("shard-" + i), config.capacityBytes() / shards.length);
    }
    String remote = config.name();
    sent =
        Counter.builder("tillwatch.remote.write.samples")
            .description("Samples the remote endpoint accepted")
            .tag("remote", remote)
            .register(meters);
    failed =
        Counter.builder("tillwatch.remote.write.failed.samples")
            .description("Samples dropped because the endpoint refused them (4xx other than 429)")
            .tag("remote", remote)
            .register(meters);
    retried =
        Counter.builder("tillwatch.remote.write.retried.samples")
            .description("Samples sent again after 429, 5xx or no answer")
            .tag("remote", remote)
            .register(meters);
    FunctionCounter.builder("tillwatch.remote.write.dropped.samples", this, w -> w.dropped())
        .description("Samples dropped because the queue on disk was full")
        .tag("remote", remote)
        .register(meters);
    Gauge.builder("tillwatch.remote.write.pending.samples", this, RemoteWriter::pending)
        .description("Samples queued, not yet sent")
        .tag("remote", remote)
        .register(meters);
    Gauge.builder("tillwatch.remote.write.queue.bytes", this, RemoteWriter::queueBytes)
        .description("Bytes the queue holds on disk")
        .tag("remote", remote)
        .register(meters);
    Gauge.builder(
            "tillwatch.remote.write.highest.timestamp.seconds",
            highestQueued,
            h -> h.get() / 1000.0)
        .description("The latest sample time queued for the endpoint")
        .tag("remote", remote)
        .register(meters);
    Gauge.builder(
            "tillwatch.remote.write.highest.sent.timestamp.seconds",
            highestSent,
            h -> h.get() / 1000.0)
        .description("The latest sample time the endpoint accepted")
        .tag("remote", remote)
        .register(meters);
    for (int i = 0; i < shards.length; i++) {
      SegmentLog log = shards[i];
      senders.add(
          Thread.ofPlatform()
              .name("tillwatch-remote-write-" + remote + "-" + i)
              .daemon()
              .start(() -> send(log)));
    }
  }

  /** Queues a committed batch (called in commit order, from one thread). */
  public void append(SampleBatch batch, long[] ids) {
    List<Map<String, WriteRequests.Builder>> pieces = new ArrayList<>(shards.length);
    for (int i = 0; i < shards.length; i++) {
      pieces.add(new HashMap<>());
    }
    // one tenant a batch is the rule (an agent's push): then no label lookup a sample; else samples
    // of a tenant come side by side, and a shard's builder is looked up again when the tenant
    // changes
    String only = batch.tenants().size() == 1 ? batch.tenants().iterator().next() : null;
    String[] lastTenant = new String[shards.length];
    WriteRequests.Builder[] last = new WriteRequests.Builder[shards.length];
    for (int i = 0; i < batch.size(); i++) {
      Series s = batch.series(i);
      int shard = (int) Math.floorMod(mix(ids[i]), (long) shards.length);
      String tenant = only != null ? only : s.tenant();
      WriteRequests.Builder b = last[shard];
      if (b == null || !tenant.equals(lastTenant[shard])) {
        b = pieces.get(shard).computeIfAbsent(tenant, t -> new WriteRequests.Builder());
        last[shard] = b;
        lastTenant[shard] = tenant;
      }
      b.add(ids[i], s, batch.time(i), batch.value(i));
    }
    for (int i = 0; i < shards.length; i++) {
      for (Map.Entry<String, WriteRequests.Builder> e : pieces.get(i).entrySet()) {
        WriteRequests.Builder b = e.getValue();
        shards[i].append(
            e.getKey(),
            b.samples(),
            b.highestTime(),
            b.encode(ts -> labelBlocks.get(ts.id(), ts.series())));
        highestQueued.accumulateAndGet(b.highestTime(), Math::max);
      }
    }
  }

  // each series' labels serialized once, by storage id (appends run on one thread)
  private final LabelBlocks labelBlocks = new LabelBlocks(1_000_000);

  /** Spreads ids (often consecutive) over the shards. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    return z ^ (z >>> 33);
  }

  /** Samples queued, not yet sent. */
  public long pending() {
    return sum(SegmentLog::pendingSamples);
  }

  private long queueBytes() {
    return sum(SegmentLog::bytes);
  }

  private long dropped() {
    return sum(SegmentLog::droppedSamples);
  }

  private long sum(java.util.function.ToLongFunction<SegmentLog> of) {
    long n = 0;
    for (SegmentLog s : shards) {
      n += of.applyAsLong(s);
    }
    return n;
  }

  /** The last failure, empty while sends succeed. */
  public String lastFailure() {
    return lastFailure;
  }

  private void send(SegmentLog log) {
    long backoff = 0;
    while (!closed) {
      try {
        List<SegmentLog.Record> records = log.peek(config.maxSamplesPerSend(), oneTenant, 1000);
        if (records.isEmpty()) {
          continue;
        }
        int samples = 0;
        long highest = Long.MIN_VALUE;
        int length = 0;
        for (SegmentLog.Record r : records) {
          length += r.requestLength();
        }
        // WriteRequests concatenate into one: the pieces side by side in one array of their size
        byte[] body = new byte[length];
        int at = 0;
        for (SegmentLog.Record r : records) {
          samples += r.samples();
          highest = Math.max(highest, r.highestTime());
          r.copyRequest(body, at);
          at += r.requestLength();
        }
        String tenant = records.get(0).tenant();
        URI target = target(tenant);
        if (target == null) {
          failed.increment(samples);
          failure("tenant " + tenant + " has no account in tenant_accounts: its samples dropped");
          log.ack(records);
          continue;
        }
        // compressed into this sender's own buffer, sent from it (the send completes before reuse)
        int room = Snappy.maxCompressedLength(body.length);
        if (compressed.get() == null || compressed.get().length < room) {
          compressed.set(new byte[room]);
        }
        byte[] out = compressed.get();
        int size = Snappy.rawCompress(body, 0, body.length, out, 0);
        int status = post(target, tenant, out, size);
        if (status / 100 == 2) {
          sent.increment(samples);
          long h = highest;
          highestSent.accumulateAndGet(h, Math::max);
          log.ack(records);
          if (backoff > 0) {
            LOG.log(System.Logger.Level.INFO, "remote write " + config.name() + " sends again");
          }
          backoff = 0;
          lastFailure = "";
        } else if (status >= 400 && status < 500 && status != 429) {
          failed.increment(samples);
          log.ack(records); // the endpoint will not take them: retrying cannot help
        } else {
          retried.increment(samples);
          backoff = backoff == 0 ? 30 : Math.min(5_000, backoff * 2);
          Thread.sleep(backoff);
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        // no answer, or a queue file that cannot be read: try again later, never give up
        failure(
            e instanceof IOException
                ? "no answer ("
                    + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + ")"
                : e.getClass().getSimpleName() + ": " + e.getMessage());
        backoff = backoff == 0 ? 30 : Math.min(5_000, backoff * 2);
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  private URI target(String tenant) {
    String url = config.url().toString();
    if (!url.contains(RemoteWriteConfig.ACCOUNT_PLACEHOLDER)) {
      return config.url();
    }
    String account = config.tenantAccounts().get(tenant);
    if (account == null) {
      return null;
    }
    return URI.create(
        url.replace(
            RemoteWriteConfig.ACCOUNT_PLACEHOLDER,
            URLEncoder.encode(account, StandardCharsets.UTF_8)));
  }

  /** Each sender's compression buffer, grown to the largest request it sent. */
  private final ThreadLocal<byte[]> compressed = new ThreadLocal<>();

  /**
   * One POST on the calling sender's thread (the JDK's {@code HttpURLConnection}: blocking, its
   * connections kept alive between sends; no hand-over to other threads a request).
   */
  private int post(URI target, String tenant, byte[] body, int length) throws IOException {
    HttpURLConnection c = (HttpURLConnection) target.toURL().openConnection();
    try {
      c.setConnectTimeout(10_000);
      c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()));
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(length);
      c.setRequestProperty("Content-Type", "application/x-protobuf");
      c.setRequestProperty("Content-Encoding", "snappy");
      c.setRequestProperty("User-Agent", "tillwatch");
      c.setRequestProperty("X-Prometheus-Remote-Write-Version", "0.1.0");
      config.headers().forEach(c::setRequestProperty);
      config.tenantHeader().ifPresent(h -> c.setRequestProperty(h, tenant));
      try (OutputStream out = c.getOutputStream()) {
        out.write(body, 0, length);
      }
      int status = c.getResponseCode();
      // the answer read to its end, so that the connection is kept for the next send
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      byte[] answer = in == null ? new byte[0] : readAll(in);
      if (status / 100 != 2) {
        String text = new String(answer, StandardCharsets.UTF_8);
        String reason = text.length() > 300 ? text.substring(0, 300) + "…" : text;
        failure("HTTP " + status + " from " + target.getHost() + ": " + reason.strip());
      }
      return status;
    } catch (IOException e) {
      c.disconnect();
      throw e;
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    try (in) {
      return in.readAllBytes();
    }
  }

  private void failure(String reason) {
    if (failureLog.shouldLog(reason)) {
      LOG.log(System.Logger.Level.WARNING, "remote write " + config.name() + ": " + reason);
    }
    lastFailure = reason;
  }

  @Override
  public void close() {
    closed = true;
    for (Thread t : senders) {
      t.interrupt();
    }
    for (Thread t : senders) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SegmentLog s : shards) {
      s.close();
    }
  }
}
