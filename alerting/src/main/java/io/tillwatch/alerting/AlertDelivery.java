package io.tillwatch.alerting;

import io.tillwatch.rules.AlertState;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which alerts of a rule go to Alertmanager after an evaluation, and how, as Prometheus sends them:
 * firing ones every {@code resendDelay} with {@code endsAt = now + 4 × max(evaluation interval,
 * resend delay)}, resolved ones with their end time while they are kept (15 minutes). Each carries
 * a link to the expression and, when a dashboard URL is set, to the tenant's dashboard.
 */
public final class AlertDelivery {
  private final Duration resendDelay;
  private final String externalUrl;
  private final String dashboardUrl;
  private final String runbookBaseUrl;

  /**
   * @param externalUrl where the collector is reached ({@code generatorURL}'s base)
   * @param dashboardUrl the tenant dashboard's URL without the tenant, e.g. {@code
   *     https://grafana/d/tillwatch-tenant?var-tenant=}; empty for none
   * @param runbookBaseUrl what a relative {@code runbook_url} (as in the built-in pack: {@code
   *     docs/runbooks.md#...}) is resolved against; empty to leave it as it is
   */
  public AlertDelivery(
      Duration resendDelay, String externalUrl, String dashboardUrl, String runbookBaseUrl) {
    this.resendDelay = resendDelay;
    this.externalUrl = externalUrl;
    this.dashboardUrl = dashboardUrl;
    this.runbookBaseUrl = runbookBaseUrl;
  }

  /** Without a runbook base URL. */
  public AlertDelivery(Duration resendDelay, String externalUrl, String dashboardUrl) {
    this(resendDelay, externalUrl, dashboardUrl, "");
  }

  /** {@code runbook_url} made absolute when it is relative and a base URL is set. */
  public String runbook(String url) {
    if (url == null || runbookBaseUrl.isEmpty() || ABSOLUTE.matcher(url).lookingAt()) {
      return url;
    }
    return runbookBaseUrl.endsWith("/") || url.startsWith("/")
        ? runbookBaseUrl + url
        : runbookBaseUrl + "/" + url;
  }

  private static final java.util.regex.Pattern ABSOLUTE =
      java.util.regex.Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:");

  /** The alerts of {@code state} to send at {@code now}; they are marked as sent. */
  public List<Notification> due(AlertState state, long now, Duration evaluationInterval) {
    List<Notification> out = new ArrayList<>();
    long validFor = 4 * Math.max(evaluationInterval.toMillis(), resendDelay.toMillis());
    String generator =
        externalUrl
            + "/graph?g0.expr="
            + URLEncoder.encode(state.rule().exprText(), StandardCharsets.UTF_8)
            + "&g0.tab=1";
    for (AlertState.Alert a : state.alerts()) {
      if (!a.needsSending(now, resendDelay.toMillis())) {
        continue;
      }
      Map<String, String> annotations = new TreeMap<>(a.annotations());
      annotations.computeIfPresent("runbook_url", (k, v) -> runbook(v));
      String tenant = a.labels().get("tenant");
      if (!dashboardUrl.isEmpty() && tenant != null) {
        annotations.putIfAbsent(
            "dashboard", dashboardUrl + URLEncoder.encode(tenant, StandardCharsets.UTF_8));
      }
      boolean resolved = a.state() == AlertState.State.INACTIVE;
      out.add(
          new Notification(
              a.labels().asMap(),
              annotations,
              Instant.ofEpochMilli(a.activeAt()),
              Instant.ofEpochMilli(resolved ? a.resolvedAt() : now + validFor),
              generator));
      a.sentAt(now);
    }
    return out;
  }
}
