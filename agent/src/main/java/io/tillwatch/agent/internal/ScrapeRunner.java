package io.tillwatch.agent.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tillwatch.agent.ScrapeTarget;
import io.tillwatch.agent.TargetMetrics;
import io.tillwatch.health.Health;
import io.tillwatch.health.HealthCheck;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns every target's schedule: runs each collector on its own timer, bounds each scrape by its
 * timeout, adds {@code tenant}/{@code target} labels and reports up, duration and error reason. A
 * slow or hung target never delays another: a target whose previous scrape still runs is skipped
 * (counted), not queued.
 */
public final class ScrapeRunner implements HealthCheck {
  private static final System.Logger LOG = System.getLogger(ScrapeRunner.class.getName());

  private final Vertx vertx;
  private final Context context;
  // replaced whole on the context when targets come and go; read by any thread
  private volatile List<TargetState> states;
  private boolean started;
  private final MeterRegistry meters;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;
  private volatile Health health = Health.failing("not started", java.time.Instant.now());
  private volatile ScrapeListener listener;

  /** Gets every scrape's samples, stamped with the scrape's scheduled time. */
  @FunctionalInterface
  public interface ScrapeListener {
    void scraped(long timeMillis, List<Sample> samples);
  }

  /** Per-target state; {@link #exposed} is read by any thread, the rest only on the context. */
  private static final class TargetState {
    final ScrapeTarget target;
    final Labels identity;
    final Labels sampleLabels;
    final AtomicBoolean running = new AtomicBoolean();
    volatile List<Sample> exposed = List.of();
    String downReason;
    boolean everScraped;
    long timerId = -1;
    long phaseMillis = Long.MIN_VALUE; // wall-clock time of the first scrape
    Counter skipped;
    volatile boolean retired; // removed from the estate: scrapes no longer published

    TargetState(ScrapeTarget target) {
      this.target = target;
      this.identity =
          Labels.of("tenant", target.tenant(), "target", target.name(), "type", target.type());
      this.sampleLabels = Labels.of("tenant", target.tenant(), "target", target.name());
    }
  }

  public ScrapeRunner(Vertx vertx, List<ScrapeTarget> targets, MeterRegistry meters) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.meters = meters;
    this.states = targets.stream().map(this::state).toList();
  }

  private TargetState state(ScrapeTarget t) {
    TargetState s = new TargetState(t);
    s.skipped =
        Counter.builder("tillwatch.agent.scrapes.skipped")
            .description("Scrapes not started because the target's previous scrape still ran.")
            .tag("type", s.target.type())
            .register(meters);
    return s;
  }

  /**
   * Makes {@code desired} the targets scraped, without stopping any other: a target whose {@link
   * ScrapeTarget} is the same instance keeps its schedule; a new one is scheduled (its first scrape
   * within a second); one no longer there stops — its series are published once more as stale
   * markers and its collector is closed once its scrape in flight has ended.
   */
  public Future<Void> update(List<ScrapeTarget> desired) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          java.util.Map<ScrapeTarget, TargetState> current = new java.util.IdentityHashMap<>();
          for (TargetState s : states) {
            current.put(s.target, s);
          }
          List<TargetState> next = new ArrayList<>();
          int added = 0;
          for (ScrapeTarget t : desired) {
            TargetState s = current.remove(t);
            if (s == null) {
              s = state(t);
              if (started && !stopping) {
                long first = 1 + (1000L * added++) / Math.max(1, desired.size());
                TargetState n = s;
                s.timerId = vertx.setPeriodic(first, t.interval().toMillis(), id -> scrape(n));
              }
            }
            next.add(s);
          }
          states = List.copyOf(next);
          current.values().forEach(this::retire);
          done.complete();
        });
    return done.future();
  }

  /** Stops a target that left the estate (on the context). */
  private void retire(TargetState s) {
    s.retired = true;
    if (s.timerId >= 0) {
      vertx.cancelTimer(s.timerId);
    }
    ScrapeListener l = listener;
    if (l != null && !s.exposed.isEmpty()) {
      l.scraped(System.currentTimeMillis(), withStaleMarkers(s.exposed, List.of()));
    }
    s.exposed = List.of();
    closeWhenIdle(s);
  }

  private void closeWhenIdle(TargetState s) {
    if (s.running.get()) {
      vertx.setTimer(50, id -> closeWhenIdle(s));
      return;
    }
    try {
      s.target.collector().close();
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "closing " + s.target.name() + ": " + e.getMessage());
    }
  }

  /** Sets who gets every scrape's samples (the pusher); call before {@link #start}. */
  public void onScrape(ScrapeListener l) {
    this.listener = l;
  }

  /** Starts every target's schedule; the first scrapes are spread over the first second. */
  public void start() {
    context.runOnContext(
        v -> {
          started = true;
          int n = Math.max(1, states.size());
          for (int i = 0; i < states.size(); i++) {
            TargetState s = states.get(i);
            long first = 1 + (1000L * i) / n;
            s.timerId = vertx.setPeriodic(first, s.target.interval().toMillis(), id -> scrape(s));
          }
          health = Health.ok(java.time.Instant.now());
        });
  }

  /**
   * Stops scheduling; in-flight scrapes may end until {@code grace}, then every collector is closed
   * (which aborts what still runs).
   */
  public Future<Void> stop(Duration grace) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          stopping = true;
          health = Health.failing("stopped", java.time.Instant.now());
          for (TargetState s : states) {
            if (s.timerId >= 0) {
              vertx.cancelTimer(s.timerId);
            }
          }
          long deadline = System.nanoTime() + grace.toNanos();
          awaitIdle(deadline, done);
        });
    return done.future().onComplete(ar -> closeCollectors());
  }

  private void awaitIdle(long deadline, Promise<Void> done) {
    if (inFlight.get() == 0 || System.nanoTime() >= deadline) {
      done.complete();
      return;
    }
    vertx.setTimer(20, id -> awaitIdle(deadline, done));
  }

  private void closeCollectors() {
    for (TargetState s : states) {
      try {
        s.target.collector().close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "closing " + s.target.name() + ": " + e.getMessage());
      }
    }
  }

  /** The latest samples of every target, with the runner's own per-target metrics. */
  public List<Sample> samples() {
    List<Sample> all = new ArrayList<>();
    for (TargetState s : states) {
      all.addAll(s.exposed);
    }
    return all;
  }

  /**
   * Ok while every target's schedule runs; failing before {@link #start()} and once stopping. A
   * target that is down is not a failure of the runner: it is {@code tillwatch_target_up 0}.
   */
  @Override
  public Health check() {
    return health;
  }

  /** Names of the targets that are up after at least one scrape (for health). */
  public long targetsDown() {
    return states.stream().filter(s -> s.everScraped && s.downReason != null).count();
  }

  /** Number of targets. */
  public int size() {
    return states.size();
  }

  private void scrape(TargetState s) {
    if (stopping) {
      return;
    }
    if (!s.running.compareAndSet(false, true)) {
      s.skipped.increment();
      return;
    }
    inFlight.incrementAndGet();
    long start = System.nanoTime();
    long stamp = scheduledTime(s, System.currentTimeMillis());
    Duration timeout = s.target.timeout();
    Promise<List<Sample>> outcome = Promise.promise();
    long timer =
        vertx.setTimer(
            timeout.toMillis(),
            id ->
                outcome.tryFail(
                    new TimeoutException(
                        "no answer within the " + timeout.toMillis() + " ms timeout")));
    outcome.future().onComplete(ar -> record(s, ar, System.nanoTime() - start, stamp));
    Future<List<Sample>> scraped;
    try {
      scraped = s.target.collector().collect();
    } catch (VirtualMachineError | LinkageError fatal) {
      throw fatal;
    } catch (RuntimeException e) { // a collector must not throw; treat it as a failed scrape
      scraped = Future.failedFuture(e);
    }
    scraped.onComplete(
        ar ->
            context.runOnContext(
                v -> {
                  vertx.cancelTimer(timer);
                  if (ar.succeeded()) {
                    outcome.tryComplete(ar.result());
                  } else {
                    outcome.tryFail(ar.cause());
                  }
                  s.running.set(false);
                  inFlight.decrementAndGet();
                }));
  }

  /**
   * The time a scrape is stamped with: its place on the target's fixed schedule (first scrape + k ×
   * interval), not the timer's few milliseconds of jitter, as Prometheus aligns scrape timestamps.
   * Regular timestamps cost almost nothing to store.
   */
  private static long scheduledTime(TargetState s, long now) {
    if (s.phaseMillis == Long.MIN_VALUE) {
      s.phaseMillis = now;
    }
    long interval = s.target.interval().toMillis();
    return s.phaseMillis + Math.round((now - s.phaseMillis) / (double) interval) * interval;
  }

  private void record(TargetState s, AsyncResult<List<Sample>> ar, long nanos, long stamp) {
    if (s.retired) {
      return; // it left the estate while this scrape ran: nothing of it is published again
    }
    double seconds = nanos / 1e9;
    List<Sample> out = new ArrayList<>();
    String reason = null;
    if (ar.succeeded()) {
      Set<String> seen = new HashSet<>();
      for (Sample x : ar.result()) {
        Sample labelled = x.withLabels(s.sampleLabels);
        // one series twice would make the whole exposition invalid: keep the first
        if (seen.add(labelled.name() + labelled.labels())) {
          out.add(labelled);
        }
      }
    } else {
      reason = ErrorReasons.of(ar.cause());
      out.add(TargetMetrics.LAST_ERROR.sample(s.identity.with("reason", reason), 1));
    }
    out.add(TargetMetrics.UP.sample(s.identity, ar.succeeded() ? 1 : 0));
    out.add(TargetMetrics.SCRAPE_DURATION.sample(s.identity, seconds));
    out.add(TargetMetrics.LAST_SCRAPE.sample(s.identity, System.currentTimeMillis() / 1000.0));
    List<Sample> before = s.exposed;
    s.exposed = List.copyOf(out);
    ScrapeListener l = listener;
    if (l != null) {
      l.scraped(stamp, withStaleMarkers(before, s.exposed));
    }
    logChange(s, reason, ar.cause());
    s.downReason = reason;
    s.everScraped = true;
    Timer.builder("tillwatch.agent.scrape.duration")
        .description("Time each scrape took, by target type and outcome.")
        .tag("type", s.target.type())
        .tag("outcome", reason == null ? "success" : "failure")
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  private static final double STALE =
      Double.longBitsToDouble(io.tillwatch.promql.SeriesSource.STALE_NAN_BITS);

  /**
   * {@code now}, and a stale marker for each series of {@code before} that {@code now} no longer
   * has (a standby gone from {@code pg_stat_replication}, a failed scrape's metrics): the collector
   * then stops answering with its last value at once, as Prometheus does on a scrape.
   */
  static List<Sample> withStaleMarkers(List<Sample> before, List<Sample> now) {
    if (before == null || before.isEmpty()) {
      return now;
    }
    Set<String> current = new HashSet<>();
    for (Sample x : now) {
      current.add(x.name() + x.labels());
    }
    List<Sample> out = null;
    for (Sample x : before) {
      if (!current.contains(x.name() + x.labels())) {
        if (out == null) {
          out = new ArrayList<>(now);
        }
        out.add(new Sample(x.metric(), x.suffix(), x.labels(), STALE));
      }
    }
    return out == null ? now : out;
  }

  private static void logChange(TargetState s, String reason, Throwable cause) {
    String who = s.target.tenant() + "/" + s.target.name() + " (" + s.target.type() + ")";
    if (reason != null && !reason.equals(s.downReason)) {
      LOG.log(Level.WARNING, "target " + who + " is down: " + reason + ": " + describe(cause));
    } else if (reason == null && s.downReason != null) {
      LOG.log(Level.INFO, "target " + who + " is up again");
    }
  }

  private static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder(String.valueOf(t.getMessage()));
    for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
      sb.append(" <- ").append(c.getMessage());
    }
    return sb.toString();
  }
}
