package io.tillwatch.agent.backup;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure reading of {@code pgbackrest verify --output=text --verbose}: pgBackRest ends the command
 * "completed successfully" (exit 0) also when it found damaged files, and says so in its summary
 * ({@code status: error}, {@code total files checked: 964, total valid files: 963}).
 */
public final class PgBackRestVerify {
  private PgBackRestVerify() {}

  private static final Pattern STATUS = Pattern.compile("(?m)^\\s*status: (ok|error)\\s*$");
  private static final Pattern FILES =
      Pattern.compile("total files checked: (\\d+), total valid files: (\\d+)");
  private static final Pattern WAL =
      Pattern.compile("total WAL checked: (\\d+), total valid WAL: (\\d+)");

  /**
   * What a run found.
   *
   * @param ok every stanza's status is {@code ok}
   * @param invalidFiles backup files and WAL segments that did not verify (checksum, missing, size)
   */
  public record Outcome(boolean ok, long invalidFiles) {}

  /** The outcome of a run that exited 0, from its console output. */
  public static Outcome read(String output) {
    Matcher s = STATUS.matcher(output);
    boolean any = false;
    boolean ok = true;
    while (s.find()) {
      any = true;
      ok &= s.group(1).equals("ok");
    }
    if (!any) {
      throw new IllegalArgumentException(
          "no \"status:\" in pgbackrest verify's output (are --output=text --verbose set?)");
    }
    long invalid = 0;
    for (Pattern p : new Pattern[] {FILES, WAL}) {
      Matcher m = p.matcher(output);
      while (m.find()) {
        invalid += Long.parseLong(m.group(1)) - Long.parseLong(m.group(2));
      }
    }
    return new Outcome(ok, invalid);
  }
}
