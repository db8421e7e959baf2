package io.tillwatch.collector.ingest;

/** A request the collector will not store, with the HTTP status and the reason to answer. */
public final class IngestException extends RuntimeException {
  private final int status;

  public IngestException(int status, String reason) {
    super(reason);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
