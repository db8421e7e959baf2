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
 * Unix seconds; {@code type} optional, default {@code full}), and the restore drill a job ran:
 * {@code "restore_test": {"time": 1795400000, "backup": "20261201-010000F", "duration_seconds":
 * 1420, "outcome": "success"}} (with {@code last_success} and {@code last_success_duration_seconds}
 * kept from the newest good drill when this one failed).
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
    if (s.has("restore_test")) {
      restoreTest(s.path("restore_test"), Labels.of("job", s.path("job").asText()), out);
    }
    return out;
  }

  private static void restoreTest(JsonNode t, Labels l, List<Sample> out) {
    if (!t.isObject()) {
      throw Json.unexpected("\"restore_test\" as an object", t);
    }
    String outcome = t.path("outcome").asText("");
    if (!outcome.equals("success") && !outcome.equals("failure")) {
      throw new IllegalArgumentException(
          "restore_test.outcome must be \"success\" or \"failure\", got \"" + outcome + "\"");
    }
    if (!t.path("time").isNumber()) {
      throw new IllegalArgumentException("restore_test.time must be Unix seconds");
    }
    boolean ok = outcome.equals("success");
    double time = t.path("time").asDouble();
    out.add(RESTORE_TEST_LAST_RUN.sample(l, time));
    out.add(RESTORE_TEST_SUCCESS.sample(l, ok ? 1 : 0));
    // the newest good drill: this one, or the one the job kept from before
    JsonNode lastSuccess = ok ? t.path("time") : t.path("last_success");
    JsonNode duration = ok ? t.path("duration_seconds") : t.path("last_success_duration_seconds");
    if (lastSuccess.isNumber()) {
      out.add(RESTORE_TEST_LAST_SUCCESS.sample(l, lastSuccess.asDouble()));
      if (duration.isNumber()) {
        out.add(RESTORE_DURATION.sample(l, duration.asDouble()));
      }
    }
  }
}
