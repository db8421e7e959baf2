package io.tillwatch.model;

import java.util.Locale;

/** How a tenant is hosted. */
public enum Tier {
  /** Own database cluster and workers. */
  DEDICATED,
  /** Shares a cluster with other tenants. */
  SHARED;

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
