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

  /**
   * @param externalUrl where the collector is reached ({@code generatorURL}'s base)
   * @param dashboardUrl the tenant dashboard's URL without the tenant, e.g. {@code
   *     https://grafana/d/tillwatch-tenant?var-tenant=}; empty for none
   */
  public AlertDelivery(Duration resendDelay, String externalUrl, String dashboardUrl) {
    this.resendDelay = resendDelay;
    this.externalUrl = externalUrl;
    this.dashboardUrl = dashboardUrl;
  }

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
