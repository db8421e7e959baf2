package io.tillwatch.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.model.Labels;
import io.tillwatch.promql.Parser;
import io.tillwatch.promql.Value;
import io.tillwatch.rules.AlertState;
import io.tillwatch.rules.Rule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertDeliveryTest {
  private static final long NOW = 1_795_000_000_000L;

  private static AlertState firing(String runbook) {
    Rule.Alerting rule =
        new Rule.Alerting(
            "BackupTooOld",
            "age > 1",
            Parser.parse("age > 1"),
            Duration.ZERO,
            Duration.ZERO,
            Map.of("severity", "ticket"),
            Map.of("runbook_url", runbook),
            Rule.Risk.DATA_PROTECTION,
            "A restore would lose a week.",
            Rule.During.ALWAYS,
            Map.of());
    AlertState state = new AlertState(rule);
    state.update(
        List.of(new Value.Sample(Labels.of("__name__", "age", "tenant", "acme"), 2, 0)),
        NOW,
        l -> Map.of());
    return state;
  }

  private static String sentRunbook(AlertDelivery d, String runbook) {
    return d.due(firing(runbook), NOW, Duration.ofMinutes(1))
        .get(0)
        .annotations()
        .get("runbook_url");
  }

  @Test
  void aRelativeRunbookLinkIsResolvedAgainstTheBaseUrl() {
    AlertDelivery d =
        new AlertDelivery(
            Duration.ofMinutes(1), "http://c", "", "https://wiki.example.com/tillwatch/");
    assertThat(sentRunbook(d, "docs/runbooks.md#backuptooold"))
        .isEqualTo("https://wiki.example.com/tillwatch/docs/runbooks.md#backuptooold");
    AlertDelivery noSlash =
        new AlertDelivery(Duration.ofMinutes(1), "http://c", "", "https://wiki.example.com/t");
    assertThat(sentRunbook(noSlash, "docs/runbooks.md#x"))
        .isEqualTo("https://wiki.example.com/t/docs/runbooks.md#x");
  }

  @Test
  void anAbsoluteLinkAndAMissingBaseLeaveTheLinkAsWritten() {
    AlertDelivery d =
        new AlertDelivery(Duration.ofMinutes(1), "http://c", "", "https://wiki.example.com/");
    assertThat(sentRunbook(d, "https://runbooks.example/backup"))
        .isEqualTo("https://runbooks.example/backup");
    AlertDelivery none = new AlertDelivery(Duration.ofMinutes(1), "http://c", "");
    assertThat(sentRunbook(none, "docs/runbooks.md#backuptooold"))
        .isEqualTo("docs/runbooks.md#backuptooold");
  }
}
