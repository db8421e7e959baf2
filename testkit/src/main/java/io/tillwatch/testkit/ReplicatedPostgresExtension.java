package io.tillwatch.testkit;

import io.tillwatch.sandbox.ReplicatedPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real PostgreSQL primary and a streaming standby once per test class and removes them
 * after it, also when a test fails. Use as a static {@code @RegisterExtension} field.
 *
 * <p>The binaries come from system property {@code tillwatch.pg.bin} (default: Debian's PostgreSQL
 * 15).
 */
public final class ReplicatedPostgresExtension implements BeforeAllCallback, AfterAllCallback {
  private ReplicatedPostgres cluster;

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = ReplicatedPostgres.start(postgresBin());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  /** The running cluster. */
  public ReplicatedPostgres cluster() {
    if (cluster == null) {
      throw new IllegalStateException("the cluster runs only inside the test class");
    }
    return cluster;
  }

  /** Where PostgreSQL's server binaries are. */
  public static Path postgresBin() {
    return Path.of(System.getProperty("tillwatch.pg.bin", "/usr/lib/postgresql/15/bin"));
  }
}
