package io.tillwatch.rules;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The rule packs shipped inside tillwatch (their sources are under {@code rules/packs/}). */
public final class RulePacks {
  /** The name the built-in pack's errors and API answers carry. */
  public static final String BUILTIN_NAME = "builtin:tillwatch.yml";

  private static final java.util.regex.Pattern BUSINESS_FIELD =
      java.util.regex.Pattern.compile("\\s+(risk|impact|during|tenants):.*");

  private static final java.util.regex.Pattern HOLD_FOR =
      java.util.regex.Pattern.compile("(?m)^(\\s+)for: \\S+$");

  private RulePacks() {}

  /**
   * The Prometheus-compatible part of a rule file or of its promtool test file: the text without
   * the lines of tillwatch's business fields ({@code risk}, {@code impact}, {@code during}, {@code
   * tenants}). Each field must sit on a line of its own, as in the built-in pack; the result is
   * what {@code promtool check rules} and Prometheus read.
   */
  public static String withoutBusinessFields(String yaml) {
    return yaml.lines()
            .filter(l -> !BUSINESS_FIELD.matcher(l).matches())
            .collect(java.util.stream.Collectors.joining("\n"))
        + "\n";
  }

  /**
   * A rule file's text with every {@code for:} set to {@code holdFor}: for demonstrations and tests
   * that cannot wait minutes. Thresholds and everything else stay as they are.
   */
  public static String withHoldFor(String yaml, java.time.Duration holdFor) {
    return HOLD_FOR.matcher(yaml).replaceAll("$1for: " + holdFor.toSeconds() + "s");
  }

  /** The name the built-in SLO catalogue's errors carry. */
  public static final String BUILTIN_SLOS_NAME = "builtin:tillwatch-slos.yml";

  /** The text of the built-in pack: every alert with its risk, impact and runbook. */
  public static String builtin() {
    return pack("tillwatch.yml");
  }

  /**
   * The text of the built-in SLO catalogue: order capture, checkout latency, stock-sync freshness,
   * recovery readiness and order intake continuity, each with risk, impact and runbook.
   */
  public static String builtinSlos() {
    return pack("tillwatch-slos.yml");
  }

  private static String pack(String file) {
    try (InputStream in = RulePacks.class.getResourceAsStream("packs/" + file)) {
      if (in == null) {
        throw new IllegalStateException("the built-in pack " + file + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the built-in pack " + file, e);
    }
  }
}
