package io.tillwatch.web;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpConnection;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every listener of the agent and the collector has: TLS and basic auth as its {@link
 * WebConfig} says, bounded time per connection (a request's headers must arrive within {@link
 * Limits#headerTimeout()} of the connection opening, the next request's within {@link
 * Limits#idle()} of the last answer, and a connection silent for {@link Limits#idle()} is closed: a
 * client trickling bytes cannot hold a connection, as in slowloris), a cap on open connections, and
 * its certificate reloaded when the files change.
 */
public final class Listeners {
  /**
   * The bounds of one listener.
   *
   * @param maxConnections the most connections it keeps open at once; more are closed at once
   * @param headerTimeout from a connection's opening to its first request's complete headers
   * @param idle from an answer to the next request's complete headers on the same connection, and
   *     the longest silence in the middle of a request
   */
  public record Limits(int maxConnections, Duration headerTimeout, Duration idle) {
    /** 1,024 connections, 10 s for the first headers, 60 s idle. */
    public static final Limits DEFAULT =
        new Limits(1024, Duration.ofSeconds(10), Duration.ofSeconds(60));
  }

  /** How often certificate files are checked for a change. */
  static final Duration RELOAD_EVERY = Duration.ofSeconds(5);

  private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

  private Listeners() {}

  /**
   * A server (not yet listening) that serves {@code handler} within {@code limits}, with TLS and a
   * certificate reloaded as {@code web} says. Basic auth is the handler's: {@link #authorized}.
   */
  public static HttpServer server(
      Vertx vertx, WebConfig web, Limits limits, Handler<HttpServerRequest> handler) {
    HttpServer server = vertx.createHttpServer(options(web, limits));
    guard(vertx, server, web, limits, handler);
    return server;
  }

  /** Server options: HTTP/1.1 (no h2c upgrade), the idle timeout, TLS when configured. */
  private static HttpServerOptions options(WebConfig web, Limits limits) {
    HttpServerOptions o =
        new HttpServerOptions()
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout((int) limits.idle().toMillis())
            .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
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

  /** A connection's deadline for complete request headers, and its requests in progress. */
  private static final class Deadline {
    long timer = -1;
    int inProgress;
  }

  /**
   * Caps the server's open connections (more are closed at once), closes a connection whose request
   * headers do not arrive in time and, with TLS, reloads the certificate when its files change.
   */
  private static void guard(
      Vertx vertx,
      HttpServer server,
      WebConfig web,
      Limits limits,
      Handler<HttpServerRequest> handler) {
    AtomicInteger open = new AtomicInteger();
    Map<HttpConnection, Deadline> deadlines = new ConcurrentHashMap<>();
    server.connectionHandler(
        c -> {
          if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            c.close();
            return;
          }
          Deadline d = new Deadline();
          deadlines.put(c, d);
          d.timer = vertx.setTimer(limits.headerTimeout().toMillis(), id -> c.close());
          c.closeHandler(
              v -> {
                open.decrementAndGet();
                Deadline gone = deadlines.remove(c);
                if (gone != null) {
                  vertx.cancelTimer(gone.timer);
                }
              });
        });
    server.requestHandler(
        r -> {
          HttpConnection c = r.connection();
          Deadline d = deadlines.get(c);
          if (d != null) {
            // the connection's event loop runs all of this: no locking
            vertx.cancelTimer(d.timer);
            d.inProgress++;
            r.response()
                .closeHandler(v -> d.inProgress--)
                .endHandler(
                    v -> {
                      if (--d.inProgress == 0) {
                        d.timer = vertx.setTimer(limits.idle().toMillis(), id -> c.close());
                      }
                    });
          }
          handler.handle(r);
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
