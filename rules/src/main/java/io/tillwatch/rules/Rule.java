package io.tillwatch.rules;

import io.tillwatch.promql.Expr;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** A rule of a group: an alert or a recording. */
public sealed interface Rule {
  /** The alert's or the recorded series' name. */
  String name();

  /** The expression as written. */
  String exprText();

  Expr expr();

  /** Labels added to (or overriding those of) every result. */
  Map<String, String> labels();

  /** {@code record:} — the result becomes series named {@code record}. */
  record Recording(String name, String exprText, Expr expr, Map<String, String> labels)
      implements Rule {
    public Recording {
      Objects.requireNonNull(name, "record");
      labels = Map.copyOf(labels);
    }
  }

  /**
   * {@code alert:} with Prometheus's fields and the business ones.
   *
   * @param forDuration how long the condition holds before the alert fires ({@code for})
   * @param keepFiringFor how long it keeps firing after the condition clears
   * @param annotations templates ({@code {{ $labels.x }}}, {@code {{ $value }}}, ...)
   * @param risk what is at risk, in the business's words
   * @param impact what it means for the stores, in a sentence
   * @param during when the alert may fire: always, business hours, outside them
   * @param tenants only tenants whose fields match (e.g. {@code tier: dedicated})
   */
  record Alerting(
      String name,
      String exprText,
      Expr expr,
      Duration forDuration,
      Duration keepFiringFor,
      Map<String, String> labels,
      Map<String, String> annotations,
      Risk risk,
      String impact,
      During during,
      Map<String, String> tenants)
      implements Rule {
    public Alerting {
      Objects.requireNonNull(name, "alert");
      labels = Map.copyOf(labels);
      annotations = Map.copyOf(annotations);
      tenants = Map.copyOf(tenants);
    }
  }

  /** What an alert puts at risk. */
  enum Risk {
    ORDER_CAPTURE,
    INVENTORY_ACCURACY,
    CHECKOUT_EXPERIENCE,
    RECOVERY_READINESS,
    DATA_PROTECTION,
    SECURITY,
    PLATFORM_CAPACITY;

    /** The name in rule files: {@code inventory_accuracy}. */
    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses the name in rule files; throws naming the accepted ones. */
    public static Risk parse(String text) {
      for (Risk r : values()) {
        if (r.key().equals(text.toLowerCase(java.util.Locale.ROOT))) {
          return r;
        }
      }
      throw new IllegalArgumentException(
          "unknown risk '"
              + text
              + "' (order_capture, inventory_accuracy, checkout_experience,"
              + " recovery_readiness, data_protection, security, platform_capacity)");
    }
  }

  /** When an alert may fire, in each tenant's own time zone. */
  enum During {
    ALWAYS,
    BUSINESS_HOURS,
    OUTSIDE_BUSINESS_HOURS;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
