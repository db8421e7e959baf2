package io.tillwatch.alerting;

import java.time.Instant;
import java.util.Map;

/**
 * One alert as Alertmanager's API v2 takes it ({@code POST /api/v2/alerts}).
 *
 * @param endsAt for a firing alert, when Alertmanager may consider it resolved if no resend comes;
 *     for a resolved one, when it ended
 */
public record Notification(
    Map<String, String> labels,
    Map<String, String> annotations,
    Instant startsAt,
    Instant endsAt,
    String generatorURL) {
  public Notification {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }
}
