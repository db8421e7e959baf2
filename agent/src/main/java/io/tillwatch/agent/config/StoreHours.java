package io.tillwatch.agent.config;

import io.tillwatch.calendar.BusinessHours;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import java.util.Objects;

/**
 * When a tenant's stores trade: the tenant's business hours in its time zone, and a store's own
 * ({@code stores:} under the tenant in the estate file) where it differs.
 *
 * @param zone the tenant's time zone
 * @param hours the tenant's business hours: a store not listed trades in them
 * @param stores a store's own hours and time zone, by the store's name
 */
public record StoreHours(ZoneId zone, BusinessHours hours, Map<String, Store> stores) {
  /** One store's opening hours, read in its time zone. */
  public record Store(ZoneId zone, BusinessHours hours) {
    public Store {
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(hours, "hours");
    }
  }

  public StoreHours {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(hours, "hours");
    stores = Map.copyOf(stores);
  }

  /** Every store open at every hour, in UTC: before an estate file gives the tenant's. */
  public static final StoreHours ALWAYS =
      new StoreHours(ZoneId.of("UTC"), BusinessHours.always(), Map.of());

  /** Whether {@code store} is open at {@code at}. */
  public boolean open(String store, Instant at) {
    Store s = stores.get(store);
    return s == null ? hours.contains(at.atZone(zone)) : s.hours().contains(at.atZone(s.zone()));
  }
}
