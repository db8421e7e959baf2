package io.tillwatch.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tillwatch.config.ConfigException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener with a Prometheus web configuration, certificates made by openssl: TLS with the CA,
 * client certificates required, basic auth with a bcrypt hash, the certificate reloaded when its
 * files change, and the connection cap.
 */
class ListenersIT {
  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  private void certificates() throws Exception {
    new io.tillwatch.testkit.Certificates(dir)
        .ca("tillwatch test CA", 2)
        .signed("server", "one", "IP:127.0.0.1", 2)
        .signed("client", "scraper", "IP:127.0.0.1", 2)
        .openssl(
            "pkcs12",
            "-export",
            "-in",
            "client.crt",
            "-inkey",
            "client.key",
            "-out",
            "client.p12",
            "-passout",
            "pass:changeit");
  }

  private HttpClient client(boolean withClientCert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dir.resolve("ca.crt"))) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withClientCert) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = new FileInputStream(dir.resolve("client.p12").toFile())) {
        keys.load(in, "changeit".toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "changeit".toCharArray());
    }
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private int serve(WebConfig web, int maxConnections) {
    return serve(
        web,
        new Listeners.Limits(
            maxConnections,
            Listeners.Limits.DEFAULT.headerTimeout(),
            Listeners.Limits.DEFAULT.idle()));
  }

  private int serve(WebConfig web, Listeners.Limits limits) {
    HttpServer server =
        Listeners.server(
            vertx,
            web,
            limits,
            r -> {
              if (Listeners.authorized(r, web)) {
                r.response().end("ok");
              }
            });
    return server.listen(0, "127.0.0.1").await().actualPort();
  }

  private static HttpResponse<String> get(HttpClient c, int port, String auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/metrics"))
            .timeout(Duration.ofSeconds(10));
    if (auth != null) {
      b.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
    }
    return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void tlsWithClientCertificatesAndBasicAuthAndACertificateReloaded() throws Exception {
    certificates();
    String hash = OpenBSDBCrypt.generate("s3cret-pw".toCharArray(), new byte[16], 10);
    Path config = dir.resolve("web.yml");
    Files.writeString(
        config,
        """
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
        basic_auth_users:
          prometheus: '%s'
        """
            .formatted(hash));
    WebConfig web = WebConfig.load(config);
    int port = serve(web, 100);
    HttpClient mtls = client(true);
    assertThat(get(mtls, port, "prometheus:s3cret-pw").body()).isEqualTo("ok");
    assertThat(get(mtls, port, "prometheus:wrong").statusCode()).isEqualTo(401);
    HttpResponse<String> none = get(mtls, port, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"tillwatch\"");
    // without a client certificate the handshake fails
    assertThatThrownBy(() -> get(client(false), port, "prometheus:s3cret-pw"))
        .isInstanceOf(java.io.IOException.class);

    // a renewed certificate: new connections get it, without a restart
    new io.tillwatch.testkit.Certificates(dir).signed("next", "two", "IP:127.0.0.1", 2);
    Files.copy(
        dir.resolve("next.key"),
        dir.resolve("server.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        dir.resolve("next.crt"),
        dir.resolve("server.crt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              HttpResponse<String> r = get(client(true), port, "prometheus:s3cret-pw");
              X509Certificate peer =
                  (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
              return peer.getSubjectX500Principal().getName().contains("CN=two");
            });
  }

  @Test
  void aListenerKeepsAtMostItsConnections() throws Exception {
    int port = serve(WebConfig.NONE, 2);
    List<Socket> sockets = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        sockets.add(s);
      }
      // the third is closed at once: it reads the end of the stream
      assertThat(sockets.get(2).getInputStream().read()).isEqualTo(-1);
      // the first two still serve
      sockets
          .get(0)
          .getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[64];
      int n = sockets.get(0).getInputStream().read(buf);
      assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  /** Reads until the server closes the connection; the time it took, in milliseconds. */
  private static long closedAfter(Socket s, long since) throws Exception {
    InputStream in = s.getInputStream();
    while (in.read() != -1) {
      // an answer, then the end of the stream
    }
    return (System.nanoTime() - since) / 1_000_000;
  }

  @Test
  void slowlorisConnectionsAreClosedWhileOthersAreServed() throws Exception {
    Listeners.Limits limits =
        new Listeners.Limits(100, Duration.ofSeconds(2), Duration.ofSeconds(3));
    int port = serve(WebConfig.NONE, limits);
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest get =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(5))
            .build();
    List<Socket> loris = new java.util.ArrayList<>();
    long opened = System.nanoTime();
    try {
      // 50 connections that start a request and then send a header line every 300 ms: never
      // silent, so the idle timeout alone would keep them for ever
      for (int i = 0; i < 50; i++) {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(20_000);
        s.getOutputStream()
            .write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        loris.add(s);
      }
      Thread trickle =
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int n = 0; n < 40; n++) {
                      for (Socket s : loris) {
                        try {
                          s.getOutputStream()
                              .write(("X-" + n + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
                        } catch (java.io.IOException closed) {
                          // closed by the server: what we wait for
                        }
                      }
                      try {
                        Thread.sleep(300);
                      } catch (InterruptedException e) {
                        return;
                      }
                    }
                  });
      // meanwhile an honest client is answered every time
      for (int i = 0; i < 20; i++) {
        assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("ok");
        Thread.sleep(50);
      }
      for (Socket s : loris) {
        // closed at the header deadline (2 s), long before the 12 s of trickling end
        assertThat(closedAfter(s, opened)).isBetween(1_500L, 6_000L);
      }
      trickle.interrupt();
    } finally {
      for (Socket s : loris) {
        s.close();
      }
    }
  }

  @Test
  void aKeptAliveConnectionIsClosedWhenNoNextRequestComes() throws Exception {
    Listeners.Limits limits =
        new Listeners.Limits(100, Duration.ofSeconds(1), Duration.ofSeconds(2));
    int port = serve(WebConfig.NONE, limits);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(20_000);
      // three requests, each answered, more than the header timeout apart but within idle: the
      // first deadline does not apply to the requests after it
      for (int i = 0; i < 3; i++) {
        s.getOutputStream()
            .write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] buf = new byte[256];
        int n = s.getInputStream().read(buf);
        assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        Thread.sleep(1_300);
      }
      long answered = System.nanoTime();
      // then nothing: closed at the idle deadline after the last answer
      assertThat(closedAfter(s, answered)).isBetween(300L, 4_000L);
    }
  }

  @Test
  void aBadWebConfigurationNamesItsLineAndField() throws Exception {
    Path config = dir.resolve("bad.yml");
    Files.writeString(
        config,
        """
        tls_server_config:
          cert_file: missing.crt
          key_file: missing.key
        """);
    assertThatThrownBy(() -> WebConfig.load(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad.yml:2")
        .hasMessageContaining("cert_file");
    Files.writeString(config, "basic_auth_users:\n  alice: plain-text\n");
    assertThatThrownBy(() -> WebConfig.load(config))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("bad.yml:2")
        .hasMessageContaining("not a bcrypt hash")
        .hasMessageNotContaining("plain-text");
  }
}
