package io.tillwatch.alerting.report;

import jakarta.activation.DataHandler;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Mails a {@link RenderedReport} over SMTP: {@code multipart/mixed} of a {@code
 * multipart/alternative} (plain text, then {@code multipart/related} HTML with its PNG charts by
 * {@code cid:}), the PDF and the CSV files. STARTTLS is required unless configured otherwise; the
 * password is handed to the server only.
 */
public final class ReportMailer {
  private final SmtpConfig smtp;
  private final Session session;

  public ReportMailer(SmtpConfig smtp) {
    this.smtp = smtp;
    this.session = Session.getInstance(properties(smtp));
  }

  /** Why a send failed, as the {@code reason} label of the failure counter. */
  public enum Reason {
    CONNECT,
    TLS,
    AUTH,
    REJECTED,
    TIMEOUT,
    OTHER
  }

  /** A failed send, with its reason. */
  public static final class SendException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    SendException(Reason reason, String message, Throwable cause) {
      super(message, cause);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  /**
   * Sends {@code report} to {@code to} with {@code messageId} (the same id for the same report, so
   * a mail client shows a rare duplicate once).
   */
  public void send(RenderedReport report, List<String> to, String messageId, Instant date)
      throws SendException {
    MimeMessage m;
    try {
      m = message(report, to, messageId, date);
    } catch (MessagingException e) {
      throw new SendException(Reason.OTHER, "cannot build the message: " + e.getMessage(), e);
    }
    try (Transport t = session.getTransport(smtp.implicitTls() ? "smtps" : "smtp")) {
      t.connect(
          smtp.host(),
          smtp.port(),
          smtp.user().orElse(null),
          smtp.user().isPresent() ? smtp.password().reveal() : null);
      t.sendMessage(m, m.getAllRecipients());
    } catch (MessagingException e) {
      throw classify(e);
    }
  }

  MimeMessage message(RenderedReport report, List<String> to, String messageId, Instant date)
      throws MessagingException {
    MimeMessage m =
        new MimeMessage(session) {
          @Override
          protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
          }
        };
    m.setFrom(smtp.from());
    for (String r : to) {
      m.addRecipient(Message.RecipientType.TO, new InternetAddress(r, true));
    }
    m.setSubject(report.subject(), StandardCharsets.UTF_8.name());
    m.setSentDate(Date.from(date));

    MimeMultipart related = new MimeMultipart("related");
    MimeBodyPart htmlPart = new MimeBodyPart();
    htmlPart.setText(report.html(), StandardCharsets.UTF_8.name(), "html");
    related.addBodyPart(htmlPart);
    for (Map.Entry<String, byte[]> img : report.images().entrySet()) {
      MimeBodyPart p = new MimeBodyPart();
      p.setDataHandler(new DataHandler(new ByteArrayDataSource(img.getValue(), "image/png")));
      p.setContentID("<" + img.getKey() + ">");
      p.setDisposition(MimeBodyPart.INLINE);
      p.setFileName(img.getKey() + ".png");
      related.addBodyPart(p);
    }
    MimeBodyPart relatedPart = new MimeBodyPart();
    relatedPart.setContent(related);

    MimeMultipart alternative = new MimeMultipart("alternative");
    MimeBodyPart textPart = new MimeBodyPart();
    textPart.setText(report.text(), StandardCharsets.UTF_8.name(), "plain");
    alternative.addBodyPart(textPart);
    alternative.addBodyPart(relatedPart);
    MimeBodyPart alternativePart = new MimeBodyPart();
    alternativePart.setContent(alternative);

    MimeMultipart mixed = new MimeMultipart("mixed");
    mixed.addBodyPart(alternativePart);
    mixed.addBodyPart(attachment(report.pdf(), "application/pdf", report.pdfName()));
    for (Map.Entry<String, String> c : report.csv().entrySet()) {
      mixed.addBodyPart(
          attachment(
              c.getValue().getBytes(StandardCharsets.UTF_8),
              "text/csv; charset=utf-8",
              c.getKey()));
    }
    m.setContent(mixed);
    m.saveChanges();
    return m;
  }

  private static MimeBodyPart attachment(byte[] data, String type, String name)
      throws MessagingException {
    MimeBodyPart p = new MimeBodyPart();
    p.setDataHandler(new DataHandler(new ByteArrayDataSource(data, type)));
    p.setDisposition(MimeBodyPart.ATTACHMENT);
    p.setFileName(name);
    return p;
  }

  private static SendException classify(MessagingException e) {
    Reason reason = Reason.OTHER;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationFailedException) {
        reason = Reason.AUTH;
        break;
      }
      if (t instanceof SSLException) {
        reason = Reason.TLS;
        break;
      }
      if (t instanceof SocketTimeoutException) {
        reason = Reason.TIMEOUT;
        break;
      }
      if (t instanceof ConnectException || t instanceof java.net.UnknownHostException) {
        reason = Reason.CONNECT;
        break;
      }
      if (t instanceof SendFailedException) {
        reason = Reason.REJECTED;
        break;
      }
      if (t.getMessage() != null && t.getMessage().contains("STARTTLS")) {
        reason = Reason.TLS;
        break;
      }
      if (t instanceof MessagingException me
          && me.getNextException() != null
          && t.getCause() == null) {
        t = me.getNextException();
        if (t instanceof ConnectException) {
          reason = Reason.CONNECT;
          break;
        }
      }
    }
    return new SendException(reason, "SMTP: " + e.getMessage(), e);
  }

  private static Properties properties(SmtpConfig c) {
    Properties p = new Properties();
    String proto = c.implicitTls() ? "smtps" : "smtp";
    String ms = String.valueOf(c.timeout().toMillis());
    p.put("mail." + proto + ".host", c.host());
    p.put("mail." + proto + ".port", String.valueOf(c.port()));
    p.put("mail." + proto + ".connectiontimeout", ms);
    p.put("mail." + proto + ".timeout", ms);
    p.put("mail." + proto + ".writetimeout", ms);
    p.put("mail." + proto + ".auth", String.valueOf(c.user().isPresent()));
    p.put("mail." + proto + ".ssl.checkserveridentity", String.valueOf(!c.insecureSkipVerify()));
    if (!c.implicitTls()) {
      p.put("mail.smtp.starttls.enable", String.valueOf(c.starttls() != SmtpConfig.StartTls.OFF));
      p.put(
          "mail.smtp.starttls.required",
          String.valueOf(c.starttls() == SmtpConfig.StartTls.REQUIRED));
    }
    if (c.insecureSkipVerify()) {
      p.put("mail." + proto + ".ssl.trust", "*");
    } else if (c.caFile().isPresent()) {
      p.put("mail." + proto + ".ssl.socketFactory", trusting(c).getSocketFactory());
    }
    return p;
  }

  /** An SSL context trusting only the certificates of the configured PEM file. */
  private static SSLContext trusting(SmtpConfig c) {
    try (InputStream in = Files.newInputStream(c.caFile().orElseThrow())) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "cannot read the SMTP CA file " + c.caFile().orElseThrow() + ": " + e.getMessage(), e);
    }
  }
}
