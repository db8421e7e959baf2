package io.tillwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in rule pack: every alert has its business fields and a runbook; its unit tests pass in
 * tillwatch, and its plain part (the business fields taken out) passes {@code promtool check rules}
 * and the same tests in {@code promtool test rules}.
 */
class RulePackIT {
  private static final Path PACK = Path.of("..", "rules", "packs", "tillwatch.yml");
  private static final Path TESTS = Path.of("..", "rules", "packs", "tillwatch.test.yml");

  @TempDir Path dir;

  @Test
  void everyAlertHasRiskImpactAndARunbookThatExists() throws Exception {
    List<RuleGroup> groups = new RuleFileLoader(java.nio.file.Files::readString).load(PACK);
    // what the collector runs by default is this very file
    assertThat(RulePacks.builtin()).isEqualTo(Files.readString(PACK));
    assertThat(
            new RuleFileLoader(java.nio.file.Files::readString)
                .loadBuiltin().stream().flatMap(g -> g.rules().stream()))
        .extracting(Rule::name)
        .containsExactlyElementsOf(
            groups.stream().flatMap(g -> g.rules().stream()).map(Rule::name).toList());
    String runbooks = Files.readString(Path.of("..", "docs", "runbooks.md"));
    int alerts = 0;
    for (RuleGroup g : groups) {
      for (Rule r : g.rules()) {
        if (r instanceof Rule.Alerting a) {
          alerts++;
          assertThat(a.risk()).as(a.name()).isNotNull();
          assertThat(a.impact()).as(a.name()).isNotBlank();
          assertThat(a.labels()).as(a.name()).containsKey("severity");
          assertThat(a.annotations().get("runbook_url"))
              .as(a.name())
              .isEqualTo("docs/runbooks.md#" + a.name().toLowerCase());
          assertThat(runbooks).as(a.name()).contains("## " + a.name() + "\n");
        }
      }
    }
    assertThat(alerts).isGreaterThanOrEqualTo(15);
  }

  @Test
  void theUnitTestsPassInTillwatchAndThePlainPartInPromtool() throws Exception {
    assertThat(RuleTests.run(new RuleTestFileLoader(java.nio.file.Files::readString).load(TESTS)))
        .isEmpty();
    Path plain = dir.resolve("plain.yml");
    Files.writeString(plain, RulePacks.withoutBusinessFields(Files.readString(PACK)));
    Path plainTests = dir.resolve("plain.test.yml");
    Files.writeString(
        plainTests,
        RulePacks.withoutBusinessFields(Files.readString(TESTS))
            .replace("rule_files: [tillwatch.yml]", "rule_files: [plain.yml]"));
    assertThat(promtool("check", "rules", plain.toString())).isZero();
    assertThat(promtool("test", "rules", plainTests.toString())).isZero();
    // and tillwatch agrees on the plain part too
    assertThat(
            RuleTests.run(new RuleTestFileLoader(java.nio.file.Files::readString).load(plainTests)))
        .isEmpty();
  }

  private int promtool(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("promtool"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    if (p.exitValue() != 0) {
      System.err.println(out);
    }
    return p.exitValue();
  }
}
