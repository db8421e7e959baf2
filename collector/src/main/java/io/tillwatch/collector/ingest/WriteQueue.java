package io.tillwatch.collector.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tillwatch.collector.store.PgStore;
import io.tillwatch.collector.store.SampleBatch;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.health.HealthState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The bounded queue between ingest and storage. One writer thread takes whatever is waiting (up to
 * {@value #MAX_GROUP} samples), writes it in one transaction and completes each request's future
 * only after the commit. When the samples waiting would pass the bound, {@link #offer} refuses at
 * once: ingest answers 429 instead of holding unbounded memory.
 */
public final class WriteQueue implements AutoCloseable, HealthCheck {
  static final int MAX_GROUP = 50_000;
  private static final System.Logger LOG = System.getLogger(WriteQueue.class.getName());

  private record Pending(
      SampleBatch batch, Map<String, Long> perTenant, CompletableFuture<Void> done) {}

  /**
   * What storage refused because of a request's own data (SQLSTATE classes 22, 23, 54: a value it
   * cannot hold, a constraint, a size limit): that request alone fails, with 400.
   */
  public static final class RejectedData extends RuntimeException {
    RejectedData(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  // samples waiting per tenant: a tenant's share of the queue under pressure
  private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> perTenant =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final PgStore store;
  private final DeltaAccumulator deltas;
  private final long maxQueued;
  private final BiConsumer<SampleBatch, long[]> afterCommit;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queued = new AtomicLong();
  private final Thread thread;
  private final Counter written;
  private final Counter failed;
  private final Timer commit;
  private volatile boolean closed;
  private final HealthState health;
  private volatile Throwable died;

  /**
   * @param afterCommit gets every batch, with its samples' series ids, once it is durable (the head
   *     appends it)
   */
  public WriteQueue(
      PgStore store,
      DeltaAccumulator deltas,
      long maxQueued,
      BiConsumer<SampleBatch, long[]> afterCommit,
      MeterRegistry meters,
      Clock clock) {
    this.health = new HealthState(clock);
    this.store = store;
    this.deltas = deltas;
    this.maxQueued = maxQueued;
    this.afterCommit = afterCommit;
    this.written =
        Counter.builder("tillwatch.collector.samples.written")
            .description("Samples committed to storage.")
            .register(meters);
    this.failed =
        Counter.builder("tillwatch.collector.write.failures")
            .description("Write transactions that failed (their requests got 503).")
            .register(meters);
    this.commit =
        Timer.builder("tillwatch.collector.write.duration")
            .description("Time of one write transaction, COPY and commit.")
            .register(meters);
    meters.gauge("tillwatch.collector.write.queue.samples", queued);
    this.thread = Thread.ofPlatform().name("tillwatch-writer").daemon().unstarted(this::runGuarded);
  }

  public WriteQueue start() {
    thread.start();
    return this;
  }

  /**
   * Queues a batch; the future completes when it is committed, or fails. Returns {@code null} when
   * the queue is full (answer 429). Delta values become cumulative in the writer, kept only when
   * their transaction commits: a refused or failed batch leaves no trace in the running totals.
   */
  public CompletableFuture<Void> offer(SampleBatch batch) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("shutting down"));
    }
    Map<String, Long> counts = countsByTenant(batch);
    long after = queued.addAndGet(batch.size());
    if (after > maxQueued && after != batch.size()) { // a lone oversized batch still goes through
      queued.addAndGet(-batch.size());
      return null;
    }
    if (after > maxQueued / 2 && overShare(counts)) {
      queued.addAndGet(-batch.size());
      return null;
    }
    counts.forEach((t, n) -> perTenant.computeIfAbsent(t, k -> new AtomicLong()).addAndGet(n));
    CompletableFuture<Void> done = new CompletableFuture<>();
    queue.add(new Pending(batch, counts, done));
    return done;
  }

  private static Map<String, Long> countsByTenant(SampleBatch batch) {
    Map<String, Long> out = new java.util.HashMap<>();
    if (batch.tenants().size() == 1) {
      out.put(batch.tenants().iterator().next(), (long) batch.size());
      return out;
    }
    for (int i = 0; i < batch.size(); i++) {
      out.merge(batch.series(i).tenant(), 1L, Long::sum);
    }
    return out;
  }

  /**
   * Whether, with the queue more than half full, a tenant of the batch would hold more than its
   * share: the queue's bound over the other tenants with samples waiting plus two (itself, and room
   * for one more); a tenant with nothing waiting is let in. A busy tenant then gets 429 while the
   * others still get in.
   */
  private boolean overShare(Map<String, Long> counts) {
    long waiting = 0;
    for (AtomicLong n : perTenant.values()) {
      if (n.get() > 0) {
        waiting++;
      }
    }
    for (Map.Entry<String, Long> e : counts.entrySet()) {
      AtomicLong mine = perTenant.get(e.getKey());
      long held = mine == null ? 0 : mine.get();
      long others = waiting - (held > 0 ? 1 : 0);
      if (held > 0 && held + e.getValue() > maxQueued / (others + 2)) {
        return true;
      }
    }
    return false;
  }

  /** Samples waiting to be written. */
  public long queuedSamples() {
    return queued.get();
  }

  /**
   * Ok while the writer thread runs and its last transaction committed; failing with the reason
   * when a transaction failed (until one commits) or the thread died.
   */
  @Override
  public Health check() {
    Throwable d = died;
    if (d != null) {
      return Health.failing("writer thread died: " + d, health.check().since());
    }
    return health.check();
  }

  /**
   * Storage answered a probe: a failure of the last transaction no longer says storage is down (the
   * next write says again if it is).
   */
  public void storageReachable() {
    if (died == null) {
      health.succeeded();
    }
  }

  private void runGuarded() {
    try {
      run();
    } catch (Throwable t) { // kept for check(): a dead writer makes the collector unready
      died = t;
      health.failed("writer thread died: " + t);
      throw t;
    }
  }

  private void run() {
    List<Pending> group = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.clear();
        group.add(first);
        int samples = first.batch().size();
        Pending next;
        while (samples < MAX_GROUP && (next = queue.peek()) != null) {
          if (samples + next.batch().size() > MAX_GROUP) {
            break;
          }
          group.add(queue.poll());
          samples += next.batch().size();
        }
        write(group, samples);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void write(List<Pending> group, int samples) {
    List<SampleBatch> batches = new ArrayList<>(group.size());
    for (Pending p : group) {
      batches.add(p.batch());
    }
    long start = System.nanoTime();
    List<long[]> ids;
    try {
      // deltas become totals here, and stay added only if the transaction commits
      for (SampleBatch b : batches) {
        b.applyDeltas(deltas);
      }
      try {
        ids = store.write(batches);
      } catch (Exception | Error e) {
        deltas.rollback();
        throw e;
      }
      deltas.commit();
      commit.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      written.increment(samples);
      health.succeeded();
    } catch (Exception e) {
      if (group.size() > 1 && causedByData(e)) {
        // one request's data failed the shared transaction: each alone, so only it fails
        for (Pending p : group) {
          write(List.of(p), p.batch().size());
        }
        return;
      }
      failed.increment();
      done(group);
      if (causedByData(e)) {
        LOG.log(System.Logger.Level.WARNING, "storage refused a request's data: " + e);
        group.getFirst().done().completeExceptionally(new RejectedData(e));
        return;
      }
      health.failed("writing " + samples + " samples failed: " + e.getMessage());
      LOG.log(System.Logger.Level.WARNING, "writing " + samples + " samples failed: " + e);
      for (Pending p : group) {
        p.done().completeExceptionally(e);
      }
      return;
    }
    done(group);
    for (Pending p : group) {
      p.done().complete(null);
    }
    try {
      for (int k = 0; k < batches.size(); k++) {
        afterCommit.accept(batches.get(k), ids.get(k));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "the head refused committed samples", e);
    }
  }

  /** The group's samples no longer wait. */
  private void done(List<Pending> group) {
    for (Pending p : group) {
      queued.addAndGet(-p.batch().size());
      p.perTenant().forEach((t, n) -> perTenant.get(t).addAndGet(-n));
    }
  }

  /**
   * SQLSTATE classes 22 (data), 23 (integrity), 54 (limits): the data, not storage, is at fault.
   */
  static boolean causedByData(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLException s && s.getSQLState() != null) {
        String c = s.getSQLState();
        return c.startsWith("22") || c.startsWith("23") || c.startsWith("54");
      }
    }
    return false;
  }

  /** Writes what is queued, then stops. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.join(30_000);
  }
}
