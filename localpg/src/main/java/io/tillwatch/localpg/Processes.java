package io.tillwatch.localpg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs the machine's server binaries, as an unprivileged user when this JVM runs as root. */
public final class Processes {

  /**
   * The user to run PostgreSQL as when we are root (it refuses to run as root): {@code postgres}
   * (Debian's package creates it), else {@code nobody}.
   */
  public static final String POSTGRES_USER = userExists("postgres") ? "postgres" : "nobody";

  private Processes() {}

  private static boolean userExists(String name) {
    try {
      Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(name);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static boolean runningAsRoot() {
    return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
  }

  /** {@code command}, wrapped to run as {@code user} when we are root. */
  public static List<String> asUser(String user, List<String> command) {
    if (!runningAsRoot()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Makes {@code dir} (recursively) belong to {@code user} when we are root. */
  public static void handOver(Path dir, String user) {
    if (!runningAsRoot()) {
      return;
    }
    try {
      UserPrincipalLookupService lookup = dir.getFileSystem().getUserPrincipalLookupService();
      UserPrincipal owner = lookup.lookupPrincipalByName(user);
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path p : (Iterable<Path>) paths::iterator) {
          Files.setOwner(p, owner);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot hand " + dir + " to user '" + user + "' (is the postgresql package installed?)",
          e);
    }
  }

  /** Runs a command to its end; throws with its output when it fails or times out. */
  public static String run(List<String> command, Map<String, String> env, Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    try {
      Path out = Files.createTempFile("tillwatch-proc", ".log");
      try {
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(
              "timed out after " + timeout + ": " + String.join(" ", command) + "\n" + read(out));
        }
        String output = read(out);
        if (p.exitValue() != 0) {
          throw new IllegalStateException(
              "exit " + p.exitValue() + ": " + String.join(" ", command) + "\n" + output);
        }
        return output;
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  public static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e.getMessage() + ")";
    }
  }

  /** Deletes a directory tree; quietly ignores what is already gone. */
  public static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /**
   * Waits until {@code ready} answers 200 (a server's readiness endpoint).
   *
   * @throws IllegalStateException with {@code log}'s text when it does not within {@code timeout}
   *     or the process ends first
   */
  public static void awaitReady(
      java.net.URI ready,
      Process process,
      Duration timeout,
      String what,
      java.util.function.Supplier<String> log) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        java.net.http.HttpResponse<Void> r =
            http.send(
                java.net.http.HttpRequest.newBuilder(ready).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(what + " did not start:\n" + log.get());
  }

  /** Stops a process: SIGTERM, then SIGKILL if it is still there after {@code grace}. */
  public static void stop(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
