package io.tillwatch.agent.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure parsing of {@code wal-g backup-list --json --detail}. A delta backup (its name holds {@code
 * _D_}) is reported as {@code incr}, every other as {@code full}.
 */
public final class WalgBackupList {
  private WalgBackupList() {}

  /** The samples; {@code now} in Unix seconds. */
  public static List<Sample> samples(String json, double now) {
    JsonNode root = Json.parse(json);
    if (root.isNull() || root.isMissingNode()) {
      root = Json.parse("[]"); // wal-g prints null when the storage holds no backup
    }
    if (!root.isArray()) {
      throw Json.unexpected("a JSON array of backups", root);
    }
    List<Backup> backups = new ArrayList<>();
    for (JsonNode b : root) {
      String name = b.path("backup_name").asText("");
      double finish = epoch(b, b.hasNonNull("finish_time") ? "finish_time" : "time");
      double start = b.hasNonNull("start_time") ? epoch(b, "start_time") : Double.NaN;
      backups.add(
          new Backup(
              name.contains("_D_") ? "incr" : "full",
              start,
              finish,
              Json.number(b.path("uncompressed_size")),
              Json.number(b.path("compressed_size")),
              false));
    }
    List<Sample> out = BackupSet.samples(backups, Labels.empty(), now);
    if (!backups.isEmpty()) {
      out.add(BackupMetrics.WAL_ARCHIVE_KNOWN.sample(Labels.empty(), 1));
    }
    return out;
  }

  private static double epoch(JsonNode b, String field) {
    String text = b.path(field).asText("");
    try {
      Instant t = Instant.parse(text);
      return t.getEpochSecond() + t.getNano() / 1e9;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + " is not an RFC 3339 time: '" + text + "'", e);
    }
  }
}
