package io.tillwatch.alerting.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.tillwatch.model.Secret;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mailing a report to real SMTP servers: aiosmtpd (Debian's {@code python3-aiosmtpd}) requiring
 * STARTTLS and authentication with a certificate made for the test, and GreenMail without STARTTLS.
 */
class ReportMailerIT {
  @RegisterExtension
  static final GreenMailExtension PLAIN =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort()).withPerMethodLifecycle(true);

  @TempDir static Path dir;

  private static Process server;
  private static int port;
  private static Path inbox;
  private static Path cert;
  private static final RenderedReport REPORT =
      new ReportRenderer(ReportBrand.DEFAULT, ReportFonts.system()).render(ReportFixtures.acme());

  @BeforeAll
  static void startServer() throws Exception {
    cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString(),
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1")
            .redirectErrorStream(true)
            .start();
    String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(out).isZero();
    inbox = Files.createDirectories(dir.resolve("inbox"));
    Path script = dir.resolve("starttls_server.py");
    try (InputStream in = ReportMailerIT.class.getResourceAsStream("/smtp/starttls_server.py")) {
      Files.write(script, in.readAllBytes());
    }
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server =
        new ProcessBuilder(
                "/usr/bin/python3",
                script.toString(),
                "127.0.0.1",
                String.valueOf(port),
                cert.toString(),
                key.toString(),
                "tillwatch",
                "s3cret-smtp",
                inbox.toString())
            .redirectError(dir.resolve("server.log").toFile())
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    assertThat(r.readLine())
        .as("aiosmtpd (python3-aiosmtpd) starts: " + Files.readString(dir.resolve("server.log")))
        .isEqualTo("ready");
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.getOutputStream().close();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  private static SmtpConfig smtp(
      int port, SmtpConfig.StartTls starttls, String password, Optional<Path> ca) {
    return new SmtpConfig(
        "127.0.0.1",
        port,
        starttls,
        false,
        Optional.of("tillwatch"),
        Secret.of(password),
        ca,
        false,
        SmtpConfig.address("tillwatch <slo@hoster.example>"),
        Duration.ofSeconds(10));
  }

  private static long inboxSize() throws Exception {
    try (var s = Files.list(inbox)) {
      return s.filter(p -> p.toString().endsWith(".eml")).count();
    }
  }

  @Test
  @Timeout(60)
  void sendsOverStartTlsWithLoginTrustingTheConfiguredCa() throws Exception {
    long before = inboxSize();
    new ReportMailer(smtp(port, SmtpConfig.StartTls.REQUIRED, "s3cret-smtp", Optional.of(cert)))
        .send(REPORT, List.of("cfo@acme.example"), "<r1@hoster.example>", Instant.now());
    await().atMost(Duration.ofSeconds(10)).until(() -> inboxSize() == before + 1);
    Path eml;
    try (var s = Files.list(inbox)) {
      eml = s.filter(p -> p.toString().endsWith(".eml")).sorted().toList().getLast();
    }
    MimeMessage m;
    try (InputStream in = Files.newInputStream(eml)) {
      m = new MimeMessage(Session.getInstance(new Properties()), in);
    }
    assertThat(m.getMessageID()).isEqualTo("<r1@hoster.example>");
    assertThat(m.getSubject()).isEqualTo(REPORT.subject());
    assertThat(m.getContentType()).startsWith("multipart/mixed");
    Multipart mixed = (Multipart) m.getContent();
    assertThat(mixed.getCount()).isEqualTo(4);
    assertThat(mixed.getBodyPart(1).getFileName()).isEqualTo("acme-2026-W48.pdf");
    try (InputStream pdf = mixed.getBodyPart(1).getInputStream()) {
      assertThat(pdf.readAllBytes()).isEqualTo(REPORT.pdf());
    }
  }

  @Test
  @Timeout(60)
  void aWrongPasswordIsAnAuthFailure() throws Exception {
    long before = inboxSize();
    assertThatThrownBy(
            () ->
                new ReportMailer(
                        smtp(port, SmtpConfig.StartTls.REQUIRED, "wrong", Optional.of(cert)))
                    .send(
                        REPORT, List.of("cfo@acme.example"), "<r2@hoster.example>", Instant.now()))
        .isInstanceOf(ReportMailer.SendException.class)
        .extracting(e -> ((ReportMailer.SendException) e).reason())
        .isEqualTo(ReportMailer.Reason.AUTH);
    assertThat(inboxSize()).isEqualTo(before);
  }

  @Test
  @Timeout(60)
  void anUntrustedCertificateIsATlsFailureAndTheLoginIsNeverSent() throws Exception {
    long before = inboxSize();
    assertThatThrownBy(
            () ->
                new ReportMailer(
                        smtp(port, SmtpConfig.StartTls.REQUIRED, "s3cret-smtp", Optional.empty()))
                    .send(
                        REPORT, List.of("cfo@acme.example"), "<r3@hoster.example>", Instant.now()))
        .isInstanceOf(ReportMailer.SendException.class)
        .extracting(e -> ((ReportMailer.SendException) e).reason())
        .isEqualTo(ReportMailer.Reason.TLS);
    assertThat(inboxSize()).isEqualTo(before);
  }

  @Test
  @Timeout(60)
  void aServerWithoutStartTlsGetsNothingUnlessStartTlsIsOptional() throws Exception {
    int plain = PLAIN.getSmtp().getPort();
    SmtpConfig required =
        new SmtpConfig(
            "127.0.0.1",
            plain,
            SmtpConfig.StartTls.REQUIRED,
            false,
            Optional.empty(),
            Secret.empty(),
            Optional.empty(),
            false,
            SmtpConfig.address("slo@hoster.example"),
            Duration.ofSeconds(10));
    assertThatThrownBy(
            () ->
                new ReportMailer(required)
                    .send(
                        REPORT, List.of("ops@acme.example"), "<r4@hoster.example>", Instant.now()))
        .isInstanceOf(ReportMailer.SendException.class)
        .extracting(e -> ((ReportMailer.SendException) e).reason())
        .isEqualTo(ReportMailer.Reason.TLS);
    assertThat(PLAIN.getReceivedMessages()).isEmpty();

    SmtpConfig optional =
        new SmtpConfig(
            "127.0.0.1",
            plain,
            SmtpConfig.StartTls.OPTIONAL,
            false,
            Optional.empty(),
            Secret.empty(),
            Optional.empty(),
            false,
            SmtpConfig.address("slo@hoster.example"),
            Duration.ofSeconds(10));
    new ReportMailer(optional)
        .send(REPORT, List.of("ops@acme.example"), "<r5@hoster.example>", Instant.now());
    assertThat(PLAIN.getReceivedMessages()).hasSize(1);
  }

  @Test
  void clearTextIsRefusedForAHostThatIsNotLoopback() {
    assertThatThrownBy(
            () ->
                new SmtpConfig(
                    "smtp.example.com",
                    25,
                    SmtpConfig.StartTls.OFF,
                    false,
                    Optional.empty(),
                    Secret.empty(),
                    Optional.empty(),
                    false,
                    SmtpConfig.address("slo@hoster.example"),
                    Duration.ofSeconds(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only for a loopback host");
    assertThat(
            new SmtpConfig(
                    "127.0.0.1",
                    25,
                    SmtpConfig.StartTls.OFF,
                    false,
                    Optional.empty(),
                    Secret.empty(),
                    Optional.empty(),
                    false,
                    SmtpConfig.address("slo@hoster.example"),
                    Duration.ofSeconds(10))
                .starttls())
        .isEqualTo(SmtpConfig.StartTls.OFF);
  }
}
