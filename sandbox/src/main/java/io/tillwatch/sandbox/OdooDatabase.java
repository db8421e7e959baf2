package io.tillwatch.sandbox;

import io.tillwatch.localpg.PostgresServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A database shaped like an Odoo one where tillwatch looks: {@code queue_job} (OCA), {@code
 * sale_order}, the point of sale ({@code pos_order}, {@code pos_session}, {@code pos_config}, and
 * the warehouses and companies tills belong to) and the base module's version. From Odoo 17 a
 * confirmed sale order stays in state {@code sale} and gets {@code locked} (before, it moved to
 * {@code done}), and a POS order stores its till ({@code config_id}) beside its session.
 */
public final class OdooDatabase {
  private OdooDatabase() {}

  /**
   * Creates database {@code name} with the schema of Odoo {@code major} (14..18) and grants {@code
   * SELECT} on it to {@code readRole} (may be null).
   */
  public static void create(PostgresServer server, String name, int major, String readRole) {
    server.execute("CREATE DATABASE " + name);
    server.executeIn(name, schema());
    if (major >= 17) {
      server.executeIn(name, "ALTER TABLE sale_order ADD COLUMN locked boolean DEFAULT false");
      // from 17 an order's till is stored beside its session (related, store=True)
      server.executeIn(name, "ALTER TABLE pos_order ADD COLUMN config_id integer");
    }
    server.executeIn(
        name,
        "INSERT INTO ir_module_module (name, state, latest_version) VALUES ('base', 'installed', '"
            + major
            + ".0.1.3')");
    if (readRole != null) {
      server.executeIn(name, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + readRole);
    }
  }

  private static String schema() {
    try (InputStream in = OdooDatabase.class.getResourceAsStream("odoo-schema.sql")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Odoo schema", e);
    }
  }
}
