package io.tillwatch.agent.backup;

import io.tillwatch.agent.Blocking;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.ScrapeException;
import io.tillwatch.agent.config.BackupTargetConfig;
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
    return Blocking.run(
        blocking, () -> parse(target.file().isPresent() ? readFile() : runCommand()));
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
    Process p;
    try {
      p = new ProcessBuilder(target.command()).start();
    } catch (IOException e) {
      throw new ScrapeException(
          "command", "cannot run " + target.command().get(0) + ": " + e.getMessage(), e);
    }
    p.getOutputStream().close();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), blocking);
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), blocking);
    if (!p.waitFor(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new TimeoutException(target.command().get(0) + " did not finish within " + timeout);
    }
    if (p.exitValue() != 0) {
      String stderr = err.join().strip();
      String first = stderr.isEmpty() ? "" : ": " + stderr.lines().findFirst().orElse("");
      throw new ScrapeException(
          "command", target.command().get(0) + " exited " + p.exitValue() + first);
    }
    return out.join();
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
