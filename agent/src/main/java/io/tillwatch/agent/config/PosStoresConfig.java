package io.tillwatch.agent.config;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Per-store point-of-sale signals of an Odoo target ({@code stores: true}).
 *
 * @param maxStores the most stores read; more is a scrape error, never a silent cut
 * @param storeBy what a till ({@code pos.config}) belongs to: its warehouse, its company, or itself
 * @param tills a till's store by the till's name, over {@code storeBy}
 * @param hours when each store trades (the tenant's hours and {@code stores:})
 */
public record PosStoresConfig(
    int maxStores, StoreBy storeBy, Map<String, String> tills, StoreHours hours) {
  /** Default for {@link #maxStores()}. */
  public static final int DEFAULT_MAX_STORES = 1000;

  /** What groups tills into a store. */
  public enum StoreBy {
    /** The warehouse of the till's operation type ({@code stock.warehouse} name). */
    WAREHOUSE,
    /** The till's company ({@code res.company} name). */
    COMPANY,
    /** Each till is a store ({@code pos.config} name). */
    TILL;

    /** {@code warehouse}, {@code company} or {@code till}. */
    public static StoreBy parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "store_by must be warehouse, company or till, got '" + text + "'");
      }
    }
  }

  public PosStoresConfig {
    Objects.requireNonNull(storeBy, "storeBy");
    Objects.requireNonNull(hours, "hours");
    tills = Map.copyOf(tills);
    if (maxStores < 1) {
      throw new IllegalArgumentException("max_stores must be at least 1, got " + maxStores);
    }
  }

  /** These settings with the tenant's store hours. */
  public PosStoresConfig withHours(StoreHours h) {
    return new PosStoresConfig(maxStores, storeBy, tills, h);
  }
}
