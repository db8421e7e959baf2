package io.tillwatch.alerting.report;

import io.tillwatch.model.Secret;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how reports are mailed.
 *
 * @param starttls whether the connection must be upgraded with STARTTLS ({@code off} only for a
 *     loopback host)
 * @param implicitTls TLS from the first byte (SMTPS, port 465) instead of STARTTLS
 * @param user the SMTP user; empty: no authentication
 * @param caFile PEM certificates to trust instead of the JVM's
 * @param insecureSkipVerify accept any server certificate (tests and labs only)
 * @param from the sender, {@code "name <address>"}
 * @param timeout connect, read and write timeout of one attempt
 */
public record SmtpConfig(
    String host,
    int port,
    StartTls starttls,
    boolean implicitTls,
    Optional<String> user,
    Secret password,
    Optional<Path> caFile,
    boolean insecureSkipVerify,
    InternetAddress from,
    Duration timeout) {

  /** {@code required} (the default), {@code optional}, or {@code off}. */
  public enum StartTls {
    REQUIRED,
    OPTIONAL,
    OFF;

    /** Parses the config spelling; throws naming the accepted values. */
    public static StartTls parse(String text) {
      for (StartTls s : values()) {
        if (s.name().equalsIgnoreCase(text)) {
          return s;
        }
      }
      throw new IllegalArgumentException(
          "starttls is required, optional or off, not '" + text + "'");
    }
  }

  public SmtpConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(from, "from");
    if (host.isBlank()) {
      throw new IllegalArgumentException("smtp.host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("smtp.port " + port + " is not a TCP port");
    }
    if (starttls == StartTls.OFF && !implicitTls && !loopback(host)) {
      throw new IllegalArgumentException(
          "starttls: off sends credentials and reports in clear text; it is allowed only for a"
              + " loopback host, not "
              + host);
    }
    if (user.isPresent() && password.isEmpty()) {
      throw new IllegalArgumentException(
          "smtp.user is set but smtp.password is empty (is its environment variable set?)");
    }
  }

  /** Parses {@code "tillwatch <slo@example.com>"}; throws naming the text. */
  public static InternetAddress address(String text) {
    try {
      InternetAddress a = new InternetAddress(text, true);
      a.validate();
      return a;
    } catch (AddressException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an email address: " + e.getMessage());
    }
  }

  private static boolean loopback(String host) {
    if (host.equals("localhost")) {
      return true;
    }
    try {
      // literal addresses only: a name is not resolved here
      return host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+\\]?")
          && InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
