package io.tillwatch.sandbox;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A tenant of 50 stores on an Odoo database ({@link PosWorkload}), selling at different rates by
 * hour, with a store that stops, one whose orders arrive late, one closed by its hours (its hours
 * are the test's to give) and one that rarely sells.
 */
public final class FiftyStores {
  private FiftyStores() {}

  public static final String SILENT = "Store 07";
  public static final String LATE = "Store 12";
  public static final String CLOSED = "Store 33";
  public static final String QUIET = "Store 40";
  public static final String TWO_TILLS = "Store 01";

  /** Orders an hour store {@code i} (1..50) takes at this hour: 4 to 28. */
  public static int rate(int i) {
    return 4 + (i % 5) * 6;
  }

  public static String store(int i) {
    return String.format("Store %02d", i);
  }

  /**
   * 50 stores: four weeks of history at this hour (their usual rate), the last hour at that rate;
   * the {@code stopped} ones (e.g. {@code SILENT} and {@code CLOSED}) stopped 45 minutes ago,
   * {@code LATE}'s orders reach the server 20 minutes after the till rang them, {@code QUIET} sells
   * twice a month at this hour.
   */
  public static PosWorkload create(Connection c, Instant now, Set<String> stopped)
      throws SQLException {
    PosWorkload w = PosWorkload.on(c);
    for (int i = 1; i <= 50; i++) {
      w.store(store(i), store(i).equals(TWO_TILLS) ? 2 : 1, now.minus(Duration.ofHours(3)));
    }
    long hourStart = now.toEpochMilli() / 3_600_000L * 3_600_000L;
    List<PosWorkload.Order> orders = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      String s = store(i);
      int perHour = s.equals(QUIET) ? 0 : rate(i);
      for (int week = 1; week <= 4; week++) {
        long base = hourStart - week * Duration.ofDays(7).toMillis();
        int n = s.equals(QUIET) ? (week <= 2 ? 1 : 0) : perHour;
        for (int k = 0; k < n; k++) {
          Instant t = Instant.ofEpochMilli(base + (k * 3_600_000L) / Math.max(1, n) + 1000);
          orders.add(new PosWorkload.Order(s, "done", t, t));
        }
        // the hour before sells at half the rate: not this hour's usual
        for (int k = 0; k < perHour / 2; k++) {
          Instant t = Instant.ofEpochMilli(base - 3_600_000L + k * 60_000L);
          orders.add(new PosWorkload.Order(s, "done", t, t));
        }
      }
      // the last hour
      for (int k = 0; k < Math.max(perHour, s.equals(QUIET) ? 1 : 0); k++) {
        long minutesAgo = s.equals(QUIET) ? 50 : 1 + (long) k * 60 / perHour;
        if (stopped.contains(s) && minutesAgo < 45) {
          minutesAgo += 45;
        }
        Instant sold = now.minus(Duration.ofMinutes(minutesAgo));
        Instant at = s.equals(LATE) ? sold.plus(Duration.ofMinutes(20)) : sold.plusSeconds(2);
        if (at.isAfter(now)) {
          continue; // still on its way
        }
        orders.add(new PosWorkload.Order(s, "paid", sold, at));
      }
    }
    w.orders(orders);
    return w;
  }

  /**
   * A minute of trade: every store not {@code stopped}, closed or quiet sells once at {@code now},
   * {@code LATE}'s sale rung 20 minutes earlier.
   */
  public static void sell(PosWorkload w, Instant now, Set<String> stopped) throws SQLException {
    List<PosWorkload.Order> orders = new ArrayList<>();
    for (int i = 1; i <= 50; i++) {
      String s = store(i);
      if (stopped.contains(s) || s.equals(QUIET)) {
        continue;
      }
      Instant sold = s.equals(LATE) ? now.minus(Duration.ofMinutes(20)) : now.minusSeconds(1);
      orders.add(new PosWorkload.Order(s, "paid", sold, now));
    }
    w.orders(orders);
  }

  /**
   * An estate file's tenant with 50 stores read from {@code jdbcUrl}: {@code CLOSED} trades only
   * the day after tomorrow (in Tokyo), so never now; the others in the tenant's hours (always).
   * {@code extra} are more keys of the Odoo target, one a line.
   */
  public static String tenantYaml(String id, String target, String jdbcUrl, String extra) {
    String day =
        java.time.ZonedDateTime.now(java.time.ZoneId.of("Asia/Tokyo"))
            .getDayOfWeek()
            .plus(2)
            .name();
    String yaml =
        """
          - id: %s
            tier: dedicated
            timezone: Europe/Paris
            stores:
              "%s": {business_hours: "%s 09:00-18:00", timezone: Asia/Tokyo}
            targets:
              - type: odoo
                name: %s
                url: %s
                user: monitor
                password: m0nitor-secret
                stores: true
        """
            .formatted(
                id,
                CLOSED,
                day.charAt(0) + day.substring(1, 3).toLowerCase(java.util.Locale.ROOT),
                target,
                jdbcUrl);
    StringBuilder out = new StringBuilder(yaml);
    extra.lines().forEach(l -> out.append("        ").append(l).append('\n'));
    return out.toString();
  }
}
