package io.tillwatch.rules;

import io.tillwatch.model.Tenant;
import io.tillwatch.promql.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The business fields that limit where an alert may fire: {@code during} (business hours or outside
 * them, in each tenant's own time zone) and {@code tenants} (e.g. {@code tier: dedicated}). Applied
 * to a rule's result before the alert lifecycle, as if the expression itself said so: outside the
 * hours a pending alert starts over and a firing one resolves.
 */
public final class AlertScope {
  private AlertScope() {}

  /**
   * The samples of {@code result} whose tenant the rule applies to now. A sample whose tenant is
   * unknown keeps {@code during} unjudged (it may fire) but fails any {@code tenants} filter.
   */
  public static List<Value.Sample> filter(
      Rule.Alerting rule,
      List<Value.Sample> result,
      Instant now,
      Function<String, Tenant> tenants) {
    if (rule.during() == Rule.During.ALWAYS && rule.tenants().isEmpty()) {
      return result;
    }
    List<Value.Sample> out = new ArrayList<>(result.size());
    for (Value.Sample s : result) {
      String id = s.labels().get("tenant");
      Tenant t = id == null ? null : tenants.apply(id);
      if (applies(rule, t, now)) {
        out.add(s);
      }
    }
    return out;
  }

  static boolean applies(Rule.Alerting rule, Tenant t, Instant now) {
    if (!rule.tenants().isEmpty() && (t == null || !t.matches(rule.tenants()))) {
      return false;
    }
    if (rule.during() == Rule.During.ALWAYS || t == null) {
      return true;
    }
    boolean open = t.businessHours().contains(now.atZone(t.zone()));
    return rule.during() == Rule.During.BUSINESS_HOURS ? open : !open;
  }
}
