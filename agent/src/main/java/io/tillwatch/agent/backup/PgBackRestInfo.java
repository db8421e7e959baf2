package io.tillwatch.agent.backup;

import static io.tillwatch.agent.backup.BackupMetrics.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.List;

/** Pure parsing of {@code pgbackrest info --output=json}: one array entry per stanza. */
public final class PgBackRestInfo {
  private PgBackRestInfo() {}

  /**
   * Samples of every stanza in the output (or only {@code stanza} when not null).
   *
   * @param now Unix seconds now
   */
  public static List<Sample> samples(String json, String stanza, double now) {
    JsonNode root = Json.parse(json);
    if (!root.isArray()) {
      throw Json.unexpected("a JSON array of stanzas", root);
    }
    List<Sample> out = new ArrayList<>();
    for (JsonNode s : root) {
      String name = s.path("name").asText("");
      if (stanza != null && !stanza.equals(name)) {
        continue;
      }
      Labels l = Labels.of("stanza", name);
      JsonNode status = s.path("status");
      out.add(STATUS_CODE.sample(l, status.path("code").asInt(99)));
      out.add(
          RUNNING.sample(
              l, status.path("lock").path("backup").path("held").asBoolean(false) ? 1 : 0));
      boolean walKnown = false;
      for (JsonNode a : s.path("archive")) {
        walKnown |= a.hasNonNull("min") && a.hasNonNull("max");
      }
      out.add(WAL_ARCHIVE_KNOWN.sample(l, walKnown ? 1 : 0));
      List<Backup> backups = new ArrayList<>();
      for (JsonNode b : s.path("backup")) {
        JsonNode info = b.path("info");
        backups.add(
            new Backup(
                b.path("type").asText(),
                b.path("timestamp").path("start").asDouble(Double.NaN),
                b.path("timestamp").path("stop").asDouble(Double.NaN),
                Json.number(info.path("size")),
                Json.number(
                    info.path("repository").has("delta")
                        ? info.path("repository").path("delta")
                        : info.path("repository").path("size")),
                b.path("error").asBoolean(false)));
      }
      out.addAll(BackupSet.samples(backups, l, now));
    }
    return out;
  }
}
