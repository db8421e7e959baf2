package io.tillwatch.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.agent.ScrapeException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ErrorReasonsTest {
  @Test
  void classifiesByCauseThenBySqlState() {
    assertThat(ErrorReasons.of(new SQLException("x", "08001", new ConnectException("refused"))))
        .isEqualTo("refused");
    assertThat(ErrorReasons.of(new TimeoutException())).isEqualTo("timeout");
    assertThat(ErrorReasons.of(new SQLException("x", "08006", new SocketTimeoutException())))
        .isEqualTo("timeout");
    assertThat(ErrorReasons.of(new SQLException("x", "08001", new UnknownHostException("h"))))
        .isEqualTo("dns");
    assertThat(ErrorReasons.of(new SQLException("password authentication failed", "28P01")))
        .isEqualTo("auth");
    assertThat(ErrorReasons.of(new SQLException("denied", "42501"))).isEqualTo("permission");
    assertThat(ErrorReasons.of(new SQLException("no db", "3D000"))).isEqualTo("no_database");
    assertThat(ErrorReasons.of(new SQLException("io", "08006"))).isEqualTo("connection");
    assertThat(ErrorReasons.of(new ScrapeException("parse", "line 3"))).isEqualTo("parse");
    assertThat(ErrorReasons.of(new IllegalStateException("?"))).isEqualTo("error");
  }
}
