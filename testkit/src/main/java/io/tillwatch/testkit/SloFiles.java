package io.tillwatch.testkit;

/** SLO files for tests, over the request counters of {@link Otlp#postOutage}. */
public final class SloFiles {
  private SloFiles() {}

  /** Order capture at 99 % over 28 days, no page below 100 events, with risk and impact. */
  public static final String ORDER_CAPTURE =
      """
      slos:
        - name: order-capture
          risk: order_capture
          impact: Stores cannot record sales
          objective: 99
          min_events: 100
          sli:
            events:
              good: sum by (tenant) (rate(requests_total{code!~"5.."}[{{.window}}]))
              total: sum by (tenant) (rate(requests_total[{{.window}}]))
      """;
}
