package io.tillwatch.collector.store;

import io.tillwatch.collector.config.StorageConfig.Layout;
import io.tillwatch.config.StartupException;
import java.util.Optional;

/**
 * Which layout the collector's tables get: a pure function of what the server reports and what
 * {@code storage.layout} says. An existing database keeps the layout it was created with; a change
 * is refused, never half-migrated. TimescaleDB is chosen only when the server can load it: an
 * extension that is installed but not in {@code shared_preload_libraries} kills the session that
 * creates it.
 *
 * @param layout {@code plain} or {@code timescaledb}
 * @param warning a line for the operator when the choice differs from what they may expect
 */
public record LayoutChoice(String layout, Optional<String> warning) {
  static final String SETTING = "storage.layout";
  private static final String PRELOAD =
      "add timescaledb to shared_preload_libraries in postgresql.conf and restart PostgreSQL";

  /**
   * What the server says about TimescaleDB and the database.
   *
   * @param available {@code timescaledb} is in {@code pg_available_extensions} (package installed)
   * @param preloaded it is in {@code shared_preload_libraries}
   * @param created it is created in the database ({@code pg_extension})
   * @param existing the layout the database was created with, when the collector's tables exist
   */
  public record ServerFacts(
      boolean available, boolean preloaded, boolean created, Optional<String> existing) {
    /** The extension can be loaded in a session: preloaded, or already created (and working). */
    public boolean loadable() {
      return available && (preloaded || created);
    }
  }

  /**
   * The layout for {@code facts} under the {@code configured} setting.
   *
   * @throws StartupException naming {@code storage.layout} when the setting cannot be honoured
   */
  public static LayoutChoice decide(ServerFacts facts, Layout configured) {
    if (facts.existing().isPresent()) {
      String existing = facts.existing().get();
      if (configured != Layout.AUTO && !configured.key().equals(existing)) {
        throw new StartupException(
            SETTING,
            "storage.layout is "
                + configured.key()
                + " but this database was created with the "
                + existing
                + " layout, and a layout is never changed in place: set storage.layout to "
                + existing
                + " or auto, or point storage.url at a new database");
      }
      if (existing.equals("timescaledb") && !facts.loadable()) {
        throw new StartupException(
            SETTING,
            "this database was created with the timescaledb layout but the server cannot load"
                + " the timescaledb extension: "
                + (facts.available()
                    ? PRELOAD
                    : "install TimescaleDB on the server, preload it and restart PostgreSQL"));
      }
      return new LayoutChoice(existing, Optional.empty());
    }
    return switch (configured) {
      case PLAIN -> new LayoutChoice("plain", Optional.empty());
      case TIMESCALEDB -> {
        if (!facts.available()) {
          throw new StartupException(
              SETTING,
              "storage.layout is timescaledb but the server does not offer the timescaledb"
                  + " extension (not in pg_available_extensions): install TimescaleDB on the"
                  + " server, or set storage.layout to auto or plain");
        }
        if (!facts.loadable()) {
          throw new StartupException(
              SETTING,
              "storage.layout is timescaledb but the timescaledb extension is installed and"
                  + " not preloaded: "
                  + PRELOAD
                  + " (or set storage.layout to plain)");
        }
        yield new LayoutChoice("timescaledb", Optional.empty());
      }
      case AUTO -> {
        if (facts.loadable()) {
          yield new LayoutChoice("timescaledb", Optional.empty());
        }
        yield new LayoutChoice(
            "plain",
            facts.available()
                ? Optional.of(
                    "TimescaleDB is installed on the storage server but not preloaded, so this"
                        + " new database gets the plain layout (storage.layout: auto). To use"
                        + " TimescaleDB instead, "
                        + PRELOAD
                        + " before the collector first starts on a new database")
                : Optional.empty());
      }
    };
  }

  /** The layout's implementation. */
  SampleLayout sampleLayout() {
    return layout.equals("timescaledb") ? new TimescaleLayout() : new PlainLayout();
  }
}
