package io.tillwatch.model;

import java.util.Locale;

/** How a tenant is hosted. */
public enum Tier {
  /** Own database cluster and workers. */
  DEDICATED(java.time.Duration.ofMinutes(5), java.time.Duration.ofHours(1)),
  /** Shares a cluster with other tenants. */
  SHARED(java.time.Duration.ofMinutes(15), java.time.Duration.ofHours(4));

  private final java.time.Duration rpo;
  private final java.time.Duration rto;

  Tier(java.time.Duration rpo, java.time.Duration rto) {
    this.rpo = rpo;
    this.rto = rto;
  }

  /**
   * The recovery time objective the tier is sold with: a restore from backup is done within it (a
   * restore drill's duration is judged against it).
   */
  public java.time.Duration recoveryTimeObjective() {
    return rto;
  }

  /**
   * The recovery point objective the tier is sold with: at most this much of the latest data may be
   * lost when the database is restored from backup and archived WAL.
   */
  public java.time.Duration recoveryPointObjective() {
    return rpo;
  }

  /** The config spelling: {@code dedicated} or {@code shared}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the config spelling; throws naming the accepted values. */
  public static Tier parse(String text) {
    for (Tier t : values()) {
      if (t.id().equals(text)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown tier '" + text + "' (expected dedicated or shared)");
  }
}
