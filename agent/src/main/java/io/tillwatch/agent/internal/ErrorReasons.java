package io.tillwatch.agent.internal;

import io.tillwatch.agent.ScrapeException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisDataException;

/** Turns a scrape failure into a short, stable {@code reason} label value. */
public final class ErrorReasons {
  private ErrorReasons() {}

  /**
   * The reason: {@code refused}, {@code timeout}, {@code dns}, {@code unreachable}, {@code tls},
   * {@code auth}, {@code permission}, {@code no_database}, {@code connection} or {@code error}; or
   * what a {@link ScrapeException} names.
   */
  public static String of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ScrapeException s) {
        return s.reason();
      }
      if (t instanceof ConnectException) {
        return "refused";
      }
      if (t instanceof SocketTimeoutException || t instanceof TimeoutException) {
        return "timeout";
      }
      if (t instanceof UnknownHostException) {
        return "dns";
      }
      if (t instanceof NoRouteToHostException) {
        return "unreachable";
      }
      if (t instanceof SSLException) {
        return "tls";
      }
      if (t instanceof JedisAccessControlException
          || (t instanceof JedisDataException && isRedisAuthError(t.getMessage()))) {
        return "auth";
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String reason = ofSqlState(sql.getSQLState());
        if (reason != null) {
          return reason;
        }
      }
    }
    return "error";
  }

  private static boolean isRedisAuthError(String message) {
    return message != null
        && (message.startsWith("NOAUTH")
            || message.startsWith("WRONGPASS")
            || message.contains("invalid password"));
  }

  private static String ofSqlState(String state) {
    return switch (state) {
      case "28000", "28P01" -> "auth";
      case "42501" -> "permission";
      case "3D000" -> "no_database";
      case "57014" -> "timeout";
      default -> state.startsWith("08") ? "connection" : null;
    };
  }
}
