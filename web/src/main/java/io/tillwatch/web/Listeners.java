package io.tillwatch.web;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every listener of the agent and the collector has: TLS and basic auth as its {@link
 * WebConfig} says, an idle timeout (a connection that sends nothing is closed: no slowloris), a cap
 * on open connections, and its certificate reloaded when the files change.
 */
public final class Listeners {
  /** How long a connection may stay silent. */
  public static final Duration IDLE = Duration.ofSeconds(60);

  /** The most connections one listener keeps open at once. */
  public static final int MAX_CONNECTIONS = 1024;

  /** How often certificate files are checked for a change. */
  static final Duration RELOAD_EVERY = Duration.ofSeconds(5);

  private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

  private Listeners() {}

  /** Server options: HTTP/1.1 (no h2c upgrade), the idle timeout, TLS when configured. */
  public static HttpServerOptions options(WebConfig web) {
    HttpServerOptions o =
        new HttpServerOptions()
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout((int) IDLE.toSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS);
    web.tls()
        .ifPresent(
            t -> {
              o.setSsl(true).setKeyCertOptions(keyCert(t));
              t.clientCa()
                  .ifPresent(
                      ca -> {
                        o.setTrustOptions(new PemTrustOptions().addCertValue(read(ca)));
                        o.setClientAuth(
                            t.requireClientCert() ? ClientAuth.REQUIRED : ClientAuth.REQUEST);
                      });
            });
    return o;
  }

  /** The certificate and key as they are on disk now (values, so that a change is one). */
  private static PemKeyCertOptions keyCert(WebConfig.Tls t) {
    return new PemKeyCertOptions().setCertValue(read(t.cert())).setKeyValue(read(t.key()));
  }

  private static Buffer read(Path p) {
    try {
      return Buffer.buffer(Files.readAllBytes(p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + p, e);
    }
  }

  /**
   * Caps the server's open connections at {@code max} (more are closed at once) and, with TLS,
   * reloads the certificate when its files change. Call before {@code listen}.
   */
  public static void guard(Vertx vertx, HttpServer server, WebConfig web, int max) {
    AtomicInteger open = new AtomicInteger();
    server.connectionHandler(
        c -> {
          if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            c.close();
            return;
          }
          c.closeHandler(v -> open.decrementAndGet());
        });
    web.tls()
        .ifPresent(
            t -> {
              long[] seen = {modified(t)};
              vertx.setPeriodic(
                  RELOAD_EVERY.toMillis(),
                  id -> {
                    long now = modified(t);
                    if (now == seen[0]) {
                      return;
                    }
                    seen[0] = now;
                    try {
                      server
                          .updateSSLOptions(
                              new ServerSSLOptions().setKeyCertOptions(keyCert(t)), true)
                          .onSuccess(
                              x ->
                                  LOG.log(
                                      System.Logger.Level.INFO,
                                      "reloaded the certificate " + t.cert()))
                          .onFailure(
                              e ->
                                  LOG.log(
                                      System.Logger.Level.ERROR,
                                      "cannot reload the certificate "
                                          + t.cert()
                                          + ": "
                                          + e.getMessage()
                                          + " (the previous one stays)"));
                    } catch (RuntimeException e) {
                      LOG.log(
                          System.Logger.Level.ERROR,
                          "cannot read the certificate " + t.cert() + ": " + e.getMessage());
                    }
                  });
            });
  }

  private static long modified(WebConfig.Tls t) {
    try {
      return Files.getLastModifiedTime(t.cert()).toMillis() * 31
          + Files.getLastModifiedTime(t.key()).toMillis();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Whether {@code r} may go on: true without basic auth configured, or with a user and password
   * the configuration holds; otherwise answers 401 (with {@code WWW-Authenticate}) and returns
   * false.
   */
  public static boolean authorized(HttpServerRequest r, WebConfig web) {
    if (!web.basicAuth()) {
      return true;
    }
    String h = r.getHeader("Authorization");
    if (h != null && h.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String pair =
            new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon > 0 && web.allows(pair.substring(0, colon), pair.substring(colon + 1))) {
          return true;
        }
      } catch (IllegalArgumentException e) {
        // not base64: refused below
      }
    }
    r.response()
        .setStatusCode(401)
        .putHeader("WWW-Authenticate", "Basic realm=\"tillwatch\"")
        .putHeader("Content-Type", "application/json")
        .end(
            "{\"status\":\"error\",\"errorType\":\"unauthorized\",\"error\":\"basic auth required\"}");
    return false;
  }
}
