package io.tillwatch.testkit;

import io.tillwatch.sandbox.RedisServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real {@code redis-server} once per test class with the given directives (for example
 * {@code "maxmemory 2mb"}) and stops it after, also when a test fails.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback {
  private final List<String> directives;
  private RedisServer server;

  public RedisExtension(String... directives) {
    this.directives = List.of(directives);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server =
        RedisServer.start(
            Path.of(System.getProperty("tillwatch.redis.server", "/usr/bin/redis-server")),
            directives);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** The running server. */
  public RedisServer server() {
    if (server == null) {
      throw new IllegalStateException("the server runs only inside the test class");
    }
    return server;
  }
}
