package io.tillwatch.promql;

/** A query stopped at one of its {@link QueryLimits}; Prometheus's error text. */
public final class QueryLimitException extends PromqlException {
  private static final long serialVersionUID = 1L;

  /** Which limit. */
  public enum Kind {
    /** Prometheus's {@code timeout} error type (HTTP 503). */
    TIMEOUT,
    /** Too many samples: Prometheus's {@code execution} error type (HTTP 422). */
    TOO_MANY_SAMPLES
  }

  private final Kind kind;

  public QueryLimitException(Kind kind) {
    super(
        kind == Kind.TIMEOUT
            ? "query timed out in expression evaluation"
            : "query processing would load too many samples into memory in query execution");
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
