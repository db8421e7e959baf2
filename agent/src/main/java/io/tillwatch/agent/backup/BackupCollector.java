package io.tillwatch.agent.backup;

import io.tillwatch.agent.Blocking;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.ScrapeException;
import io.tillwatch.agent.config.BackupTargetConfig;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Backups of one repository or job: runs the tool's command (or reads the file a cron job wrote) on
 * the blocking executor and parses its JSON with the tool's pure parser.
 */
public final class BackupCollector implements Collector {
  private static final System.Logger LOG = System.getLogger(BackupCollector.class.getName());

  private final BackupTargetConfig target;
  private final Duration timeout;
  private final Executor blocking;
  private final Clock clock;

  public BackupCollector(
      BackupTargetConfig target, Duration timeout, Executor blocking, Clock clock) {
    this.target = target;
    this.timeout = timeout;
    this.blocking = blocking;
    this.clock = clock;
  }

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public Future<List<Sample>> collect() {
    maybeVerify();
    return Blocking.run(
        blocking,
        () -> {
          List<Sample> out =
              new java.util.ArrayList<>(
                  parse(target.file().isPresent() ? readFile() : runCommand()));
          out.addAll(verified);
          return out;
        });
  }

  private List<Sample> parse(String text) {
    double now = clock.millis() / 1000.0;
    try {
      return switch (target.tool()) {
        case PGBACKREST -> PgBackRestInfo.samples(text, target.stanza().orElse(null), now);
        case WALG -> WalgBackupList.samples(text, now);
        case STATUS_FILE -> BackupStatusFile.samples(text, now);
      };
    } catch (IllegalArgumentException e) {
      throw new ScrapeException("parse", target.type() + " output: " + e.getMessage(), e);
    }
  }

  private String readFile() throws IOException {
    try {
      return Files.readString(target.file().orElseThrow(), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ScrapeException(
          "no_file", "no file " + e.getFile() + " (has the job ever run?)", e);
    }
  }

  private String runCommand() throws IOException, InterruptedException, TimeoutException {
    Ran r = run(target.command(), timeout.plusSeconds(1));
    if (r.exit() != 0) {
      String first = r.stderr().isEmpty() ? "" : ": " + r.stderr().lines().findFirst().orElse("");
      throw new ScrapeException("command", target.command().get(0) + " exited " + r.exit() + first);
    }
    return r.stdout();
  }

  /** A finished command: its exit code and output. */
  private record Ran(int exit, String stdout, String stderr) {}

  /** Runs {@code command} to its end within {@code limit}. */
  private Ran run(List<String> command, Duration limit)
      throws IOException, InterruptedException, TimeoutException {
    Process p;
    try {
      p = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new ScrapeException(
          "command", "cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    p.getOutputStream().close();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), blocking);
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), blocking);
    if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new TimeoutException(command.get(0) + " did not finish within " + limit);
    }
    return new Ran(p.exitValue(), out.join(), err.join().strip());
  }

  // pgbackrest verify: run in the background now and then, its newest outcome in every scrape
  private final java.util.concurrent.atomic.AtomicBoolean verifying =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long nextVerifyMillis = Long.MIN_VALUE;
  private volatile List<Sample> verified = List.of();
  private volatile double lastVerifySuccess = Double.NaN;

  /** Starts a verify run when one is due and none runs. */
  private void maybeVerify() {
    if (target.verify().isEmpty()
        || clock.millis() < nextVerifyMillis
        || !verifying.compareAndSet(false, true)) {
      return;
    }
    BackupTargetConfig.Verify v = target.verify().get();
    nextVerifyMillis = clock.millis() + v.every().toMillis();
    blocking.execute(
        () -> {
          long start = clock.millis();
          boolean ok;
          String why;
          long invalid = -1;
          try {
            Ran r = run(v.command(), v.timeout());
            if (r.exit() == 0) {
              PgBackRestVerify.Outcome o = PgBackRestVerify.read(r.stdout() + "\n" + r.stderr());
              ok = o.ok();
              invalid = o.invalidFiles();
              why = ok ? "" : invalid + " files did not verify";
            } else {
              ok = false;
              why = "exit " + r.exit() + ": " + (r.stderr() + "\n" + r.stdout()).strip();
            }
          } catch (IOException | TimeoutException | RuntimeException e) {
            ok = false;
            why = e.getMessage();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            verifying.set(false);
            return;
          }
          double end = clock.millis() / 1000.0;
          if (ok) {
            lastVerifySuccess = end;
          } else {
            LOG.log(
                System.Logger.Level.WARNING,
                "pgbackrest verify of " + target.name() + " failed: " + why);
          }
          Labels l = Labels.empty();
          List<Sample> out = new java.util.ArrayList<>();
          out.add(BackupMetrics.VERIFY_LAST_RUN.sample(l, start / 1000.0));
          out.add(BackupMetrics.VERIFY_SUCCESS.sample(l, ok ? 1 : 0));
          out.add(BackupMetrics.VERIFY_DURATION.sample(l, end - start / 1000.0));
          if (!Double.isNaN(lastVerifySuccess)) {
            out.add(BackupMetrics.VERIFY_LAST_SUCCESS.sample(l, lastVerifySuccess));
          }
          if (invalid >= 0) {
            out.add(BackupMetrics.VERIFY_INVALID_FILES.sample(l, invalid));
          }
          verified = List.copyOf(out);
          verifying.set(false);
        });
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
