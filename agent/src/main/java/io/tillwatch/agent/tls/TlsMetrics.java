package io.tillwatch.agent.tls;

import io.tillwatch.model.Metric;

/** Every metric of the {@code tls} target: the served certificate chain. */
public final class TlsMetrics {
  private TlsMetrics() {}

  public static final Metric NOT_AFTER =
      Metric.gauge(
          "tillwatch_tls_cert_not_after_timestamp_seconds",
          "Unix time the served (leaf) certificate expires.");
  public static final Metric EXPIRY =
      Metric.gauge(
          "tillwatch_tls_cert_expiry_seconds",
          "Seconds until the first certificate of the served chain expires (negative: expired)."
              + " Alert at 14 and 3 days: an expired certificate stops the web shop and the POS"
              + " sync.");
  public static final Metric CHAIN_VALID =
      Metric.gauge(
          "tillwatch_tls_chain_valid",
          "1 when the served chain validates for the server name (trusted CA, dates, name), 0"
              + " when not; reason: ok, expired, not_yet_valid, untrusted, hostname_mismatch,"
              + " invalid.");
  public static final Metric CERT =
      Metric.info(
          "tillwatch_tls_cert_info",
          "The served leaf certificate: subject_cn, issuer_cn, serial (hex), sans (comma-separated,"
              + " the first 10).");
}
