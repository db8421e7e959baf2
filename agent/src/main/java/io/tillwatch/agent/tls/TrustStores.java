package io.tillwatch.agent.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** Trust as the agent uses it: the system's CAs, and a private CA file (PEM) when given. */
public final class TrustStores {
  private TrustStores() {}

  /**
   * A trust manager of the system's CAs and those of {@code caFile}.
   *
   * @throws IOException when the file cannot be read
   * @throws GeneralSecurityException when it holds no usable certificate
   */
  public static X509ExtendedTrustManager systemAnd(Optional<Path> caFile)
      throws IOException, GeneralSecurityException {
    TrustManagerFactory system =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    system.init((KeyStore) null);
    if (caFile.isEmpty()) {
      return extended(system.getTrustManagers());
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int n = 0;
    for (X509Certificate c : extended(system.getTrustManagers()).getAcceptedIssuers()) {
      store.setCertificateEntry("system-" + n++, c);
    }
    try (InputStream in = Files.newInputStream(caFile.get())) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + n++, c);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return extended(tmf.getTrustManagers());
  }

  private static X509ExtendedTrustManager extended(TrustManager[] managers) {
    for (TrustManager tm : managers) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JDK offers no X.509 trust manager");
  }
}
