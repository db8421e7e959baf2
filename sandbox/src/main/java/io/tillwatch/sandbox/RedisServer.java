package io.tillwatch.sandbox;

import io.tillwatch.localpg.FreePorts;
import io.tillwatch.localpg.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real {@code redis-server} on 127.0.0.1, no persistence, in a temporary directory. */
public final class RedisServer implements AutoCloseable {
  private final Process process;
  private final Path dir;
  private final int port;

  private RedisServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /**
   * Starts {@code redis-server} with extra directives such as {@code "maxmemory 2mb"}.
   *
   * @param binary path of {@code redis-server}
   */
  public static RedisServer start(Path binary, List<String> directives) {
    if (!Files.isExecutable(binary)) {
      throw new IllegalStateException("no " + binary + ": install Debian's redis-server package");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("tillwatch-redis");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
    int port = FreePorts.next();
    List<String> cmd = new ArrayList<>(List.of(binary.toString()));
    cmd.addAll(
        List.of(
            "--port", String.valueOf(port),
            "--bind", "127.0.0.1",
            "--dir", dir.toString(),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "no",
            "--logfile", dir.resolve("redis.log").toString()));
    for (String d : directives) {
      String[] parts = d.trim().split("\\s+", 2);
      cmd.add("--" + parts[0]);
      if (parts.length > 1) {
        cmd.add(parts[1]);
      }
    }
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      RedisServer server = new RedisServer(p, dir, port);
      server.awaitPong(Duration.ofSeconds(20));
      return server;
    } catch (IOException | RuntimeException e) {
      Processes.deleteTree(dir);
      throw new IllegalStateException("cannot start redis-server: " + e.getMessage(), e);
    }
  }

  /** The TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port}. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  private void awaitPong(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    IOException last = null;
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "redis-server exited: "
                + Processes.read(dir.resolve("stdout.log"))
                + Processes.read(dir.resolve("redis.log")));
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        s.setSoTimeout(1000);
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64];
        int n = in.read(buf);
        String reply = n > 0 ? new String(buf, 0, n, StandardCharsets.US_ASCII) : "";
        // a server with requirepass answers NOAUTH: it is up all the same
        if (reply.startsWith("+PONG") || reply.startsWith("-NOAUTH")) {
          return;
        }
      } catch (IOException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
    throw new IllegalStateException("redis-server did not answer PING within " + timeout, last);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Processes.deleteTree(dir);
  }
}
