package io.tillwatch.agent.tls;

import io.tillwatch.agent.Blocking;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.ScrapeException;
import io.tillwatch.agent.config.TlsTargetConfig;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Connects to a TLS endpoint and reads the chain it serves, whether or not it validates: the
 * handshake takes any chain, while the system's trust (and the target's CA file) judges it with the
 * server name, as a browser or the POS's HTTP client would. One connection a scrape, closed at
 * once.
 */
public final class TlsCollector implements Collector {
  /** SANs shown in the info series at most. */
  static final int MAX_SANS = 10;

  private final TlsTargetConfig target;
  private final Duration timeout;
  private final Executor blocking;
  private final Clock clock;

  public TlsCollector(TlsTargetConfig target, Duration timeout, Executor blocking, Clock clock) {
    this.target = target;
    this.timeout = timeout;
    this.blocking = blocking;
    this.clock = clock;
  }

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public Future<List<Sample>> collect() {
    return Blocking.run(blocking, this::probe);
  }

  /** What the handshake saw: the chain, and the trust's verdict on it. */
  private static final class Seen {
    X509Certificate[] chain;
    CertificateException problem;
  }

  // the trust built from the system's CAs and the CA file, kept while the file stays the same
  private X509ExtendedTrustManager trust;
  private long trustFileTime = Long.MIN_VALUE;

  private synchronized X509ExtendedTrustManager trust() {
    long time;
    try {
      time =
          target.caFile().isPresent()
              ? java.nio.file.Files.getLastModifiedTime(target.caFile().get()).toMillis()
              : 0;
    } catch (IOException e) {
      throw new ScrapeException(
          "ca_file", "cannot read " + target.caFile().orElseThrow() + ": " + e.getMessage(), e);
    }
    if (trust == null || time != trustFileTime) {
      try {
        trust = TrustStores.systemAnd(target.caFile());
      } catch (IOException | GeneralSecurityException e) {
        throw new ScrapeException(
            "ca_file", "cannot use " + target.caFile().orElseThrow() + ": " + e.getMessage(), e);
      }
      trustFileTime = time;
    }
    return trust;
  }

  private List<Sample> probe() throws IOException {
    X509ExtendedTrustManager trust = trust();
    Seen seen = new Seen();
    SSLContext ssl;
    try {
      ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {new Capturing(trust, seen)}, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK offers no TLS", e);
    }
    int millis = (int) Math.max(1, timeout.toMillis());
    // TLS over a connection to the address, naming the server: the chain is judged against the
    // server name alone (not the address, which the JDK would also accept)
    try (Socket plain = new Socket()) {
      plain.connect(
          new InetSocketAddress(target.address().host(), target.address().port()), millis);
      plain.setSoTimeout(millis);
      SSLSocket socket =
          (SSLSocket)
              ssl.getSocketFactory()
                  .createSocket(plain, target.serverName(), target.address().port(), true);
      SSLParameters p = socket.getSSLParameters();
      if (!isAddress(target.serverName())) {
        p.setServerNames(List.of(new SNIHostName(target.serverName())));
      }
      p.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(p);
      socket.startHandshake();
      socket.close();
    } catch (SocketTimeoutException e) {
      throw new ScrapeException("timeout", "no TLS handshake within " + timeout, e);
    } catch (SSLException e) {
      if (seen.chain == null) {
        throw new ScrapeException("handshake", "TLS handshake failed: " + e.getMessage(), e);
      }
      // the chain came: what went wrong after it (if anything) is not the certificate's
    }
    if (seen.chain == null || seen.chain.length == 0) {
      throw new ScrapeException("handshake", "the server sent no certificate");
    }
    return samples(seen.chain, seen.problem, clock.millis() / 1000.0);
  }

  /** The samples of a served chain and the trust's verdict on it ({@code null}: valid). */
  static List<Sample> samples(X509Certificate[] chain, CertificateException problem, double now) {
    List<Sample> out = new ArrayList<>();
    X509Certificate leaf = chain[0];
    double earliest = Double.MAX_VALUE;
    for (X509Certificate c : chain) {
      earliest = Math.min(earliest, c.getNotAfter().getTime() / 1000.0);
    }
    out.add(
        new Sample(TlsMetrics.NOT_AFTER, Labels.empty(), leaf.getNotAfter().getTime() / 1000.0));
    out.add(new Sample(TlsMetrics.EXPIRY, Labels.empty(), earliest - now));
    out.add(
        new Sample(
            TlsMetrics.CHAIN_VALID,
            Labels.of("reason", problem == null ? "ok" : reason(problem)),
            problem == null ? 1 : 0));
    out.add(
        new Sample(
            TlsMetrics.CERT,
            Labels.of(
                "subject_cn", cn(leaf.getSubjectX500Principal().getName()),
                "issuer_cn", cn(leaf.getIssuerX500Principal().getName()),
                "serial", leaf.getSerialNumber().toString(16),
                "sans", sans(leaf)),
            1));
    return out;
  }

  /** A short, stable word for why a chain does not validate. */
  static String reason(CertificateException problem) {
    for (Throwable t = problem; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateExpiredException) {
        return "expired";
      }
      if (t instanceof java.security.cert.CertificateNotYetValidException) {
        return "not_yet_valid";
      }
      if (t instanceof CertPathValidatorException v) {
        if (v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
          return "expired";
        }
        if (v.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
          return "not_yet_valid";
        }
      }
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("no subject alternative") || m.contains("no name matching")) {
        return "hostname_mismatch";
      }
      if (m.contains("unable to find valid certification path")
          || t.getClass().getSimpleName().equals("SunCertPathBuilderException")) {
        return "untrusted";
      }
    }
    return "invalid";
  }

  private static String cn(String distinguishedName) {
    try {
      for (Rdn r : new LdapName(distinguishedName).getRdns()) {
        if (r.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(r.getValue());
        }
      }
    } catch (InvalidNameException e) {
      return distinguishedName;
    }
    return "";
  }

  private static String sans(X509Certificate c) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> all = c.getSubjectAlternativeNames();
      if (all != null) {
        for (List<?> san : all) {
          int type = (Integer) san.get(0);
          if ((type == 2 || type == 7) && names.size() < MAX_SANS) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return "";
    }
    return String.join(",", names);
  }

  private static boolean isAddress(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  /**
   * Takes any chain (so that a bad one is read, not refused) and keeps the trust's verdict on it.
   */
  private static final class Capturing extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager trust;
    private final Seen seen;

    Capturing(X509ExtendedTrustManager trust, Seen seen) {
      this.trust = trust;
      this.seen = seen;
    }

    /** The trust's verdict on a chain, by whichever of its checks the handshake calls. */
    private interface Check {
      void run() throws CertificateException;
    }

    /** Keeps the chain and what the trust says of it; the handshake goes on either way. */
    private void judge(X509Certificate[] chain, Check check) {
      seen.chain = chain;
      try {
        check.run();
      } catch (CertificateException e) {
        seen.problem = e;
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
      judge(chain, () -> trust.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
      judge(chain, () -> trust.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      judge(chain, () -> trust.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("a probe accepts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("a probe accepts no clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("a probe accepts no clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return trust.getAcceptedIssuers();
    }
  }
}
