package io.tillwatch.agent.backup;

import static io.tillwatch.agent.backup.BackupMetrics.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import java.util.ArrayList;
import java.util.List;

/**
 * Pure parsing of a status file any scheduled job can write: {@code {"job": "nightly-dump",
 * "last_success": 1795300000, "last_run": 1795300000, "exit_code": 0, "type": "full"}} (times in
 * Unix seconds; {@code type} optional, default {@code full}).
 */
public final class BackupStatusFile {
  private BackupStatusFile() {}

  /** The samples; {@code now} in Unix seconds. */
  public static List<Sample> samples(String json, double now) {
    JsonNode s = Json.parse(json);
    if (!s.isObject()) {
      throw Json.unexpected("a JSON object", s);
    }
    if (!s.hasNonNull("job")) {
      throw new IllegalArgumentException("the status file has no \"job\"");
    }
    Labels l = Labels.of("job", s.path("job").asText(), "type", s.path("type").asText("full"));
    List<Sample> out = new ArrayList<>();
    if (s.hasNonNull("last_success")) {
      double success = s.path("last_success").asDouble();
      out.add(LAST_SUCCESS.sample(l, success));
      out.add(AGE.sample(l, Math.max(0, now - success)));
    }
    if (s.hasNonNull("last_run")) {
      out.add(LAST_RUN.sample(l, s.path("last_run").asDouble()));
    }
    if (s.hasNonNull("exit_code")) {
      out.add(LAST_EXIT_CODE.sample(l, s.path("exit_code").asInt()));
    }
    return out;
  }
}
