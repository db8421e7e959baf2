package io.tillwatch.model;

import io.tillwatch.calendar.BusinessHours;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A customer of the hosting team: a brand, franchise network or regional chain.
 *
 * @param id stable id used in the {@code tenant} label, {@code [a-z0-9-]+}
 * @param name display name for reports
 * @param tier dedicated or shared hosting
 * @param zone the tenant's time zone (business hours are read in it)
 * @param businessHours when its stores trade
 */
public record Tenant(String id, String name, Tier tier, ZoneId zone, BusinessHours businessHours) {
  private static final Pattern ID = Pattern.compile("[a-z0-9-]+");

  /**
   * The tenant of what belongs to none: the agents' and the collector's own metrics, and the
   * estate-wide series; no tenant of an estate may be called so (its token would see those).
   */
  public static final String PLATFORM = "platform";

  public Tenant {
    Objects.requireNonNull(tier, "tier");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(businessHours, "businessHours");
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("tenant id must match [a-z0-9-]+, got '" + id + "'");
    }
    if (id.equals(PLATFORM)) {
      throw new IllegalArgumentException(
          "tenant id '" + PLATFORM + "' is reserved for tillwatch's own series");
    }
    if (name == null || name.isBlank()) {
      name = id;
    }
  }

  /**
   * Whether this tenant passes a rule's or an SLO's {@code tenants} filter: every key ({@code
   * tier}, {@code id}) equal, ignoring case; an empty filter passes every tenant.
   */
  public boolean matches(Map<String, String> filter) {
    for (Map.Entry<String, String> f : filter.entrySet()) {
      String actual =
          switch (f.getKey()) {
            case "tier" -> tier.name().toLowerCase(Locale.ROOT);
            case "id" -> id;
            default -> null;
          };
      if (!f.getValue().equalsIgnoreCase(String.valueOf(actual))) {
        return false;
      }
    }
    return true;
  }
}
