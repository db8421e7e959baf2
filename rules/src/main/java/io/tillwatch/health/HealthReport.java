package io.tillwatch.health;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The health of a process: every component's, in a fixed order; ok only when every one is.
 *
 * @param components by name
 */
public record HealthReport(Map<String, Health> components) {
  public HealthReport {
    components = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(components));
  }

  /** Asks every check now. */
  public static HealthReport of(Map<String, ? extends HealthCheck> checks) {
    Map<String, Health> out = new LinkedHashMap<>();
    checks.forEach((name, c) -> out.put(name, c.check()));
    return new HealthReport(out);
  }

  /** True when every component is ok. */
  public boolean ok() {
    return components.values().stream().allMatch(Health::ok);
  }

  /** {@code "storage: connection refused; rules: ..."}: the failing components, for people. */
  public String failures() {
    StringBuilder b = new StringBuilder();
    components.forEach(
        (name, h) -> {
          if (!h.ok()) {
            b.append(b.isEmpty() ? "" : "; ").append(name).append(": ").append(h.reason());
          }
        });
    return b.toString();
  }

  /**
   * The report as a JSON-ready tree: {@code {"status": "ok"|"failing", "components": {name:
   * {"status", "reason"?, "since"}}}}.
   */
  public Map<String, Object> asTree() {
    Map<String, Object> parts = new LinkedHashMap<>();
    components.forEach(
        (name, h) -> {
          Map<String, Object> c = new LinkedHashMap<>();
          c.put("status", status(h.ok()));
          h.failure().ifPresent(r -> c.put("reason", r));
          c.put("since", h.since().toString());
          parts.put(name, c);
        });
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("status", status(ok()));
    root.put("components", parts);
    return root;
  }

  private static String status(boolean ok) {
    return ok ? "ok" : "failing";
  }
}
