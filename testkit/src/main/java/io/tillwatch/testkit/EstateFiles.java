package io.tillwatch.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Pieces of estate files for tests: tenants whose one target reads a status file. */
public final class EstateFiles {
  private EstateFiles() {}

  /**
   * A {@code tenants:} entry of {@code id} (indented for a list under {@code tenants:}) whose one
   * target, {@code <id>-backups}, reads a backup status file written into {@code dir}.
   */
  public static String statusTenant(Path dir, String id) throws IOException {
    Path status = dir.resolve(id + ".json");
    Files.writeString(status, "{\"job\": \"nightly\", \"last_success\": 1795744800}");
    return """
          - id: %s
            tier: shared
            timezone: Europe/Berlin
            targets:
              - {type: backup_status, name: %s-backups, path: "%s"}
        """
        .formatted(id, id, status);
  }
}
