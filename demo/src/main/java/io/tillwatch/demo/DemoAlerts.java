package io.tillwatch.demo;

import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.model.Durations;
import io.tillwatch.rules.AlertState;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The demo's view of the collector's alerts: each time it looks, it prints what became pending,
 * fired or resolved since the last look, with the alert's summary and business impact.
 */
final class DemoAlerts {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final RuleEngine rules;
  private final PrintStream out;

  /** The alerts at the last look and the state each was in then (alerts change in place). */
  private final Map<String, AlertState.Alert> seen = new HashMap<>();

  private final Map<String, AlertState.State> states = new HashMap<>();

  DemoAlerts(RuleEngine rules, PrintStream out) {
    this.rules = rules;
    this.out = out;
  }

  /** Prints the changes since the last call. */
  void report() {
    List<AlertState.Alert> now = rules.activeAlerts();
    Map<String, AlertState.Alert> current = new HashMap<>();
    for (AlertState.Alert a : now) {
      String key = a.labels().toString();
      current.put(key, a);
      if (states.get(key) != a.state()) {
        print(a.state() == AlertState.State.FIRING ? "FIRING  " : "pending ", a, "");
        if (a.state() == AlertState.State.FIRING) {
          out.printf("             %s%n", a.annotations().getOrDefault("impact", ""));
        }
      }
    }
    for (Iterator<Map.Entry<String, AlertState.Alert>> it = seen.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, AlertState.Alert> e = it.next();
      if (!current.containsKey(e.getKey())) {
        AlertState.Alert gone = e.getValue();
        if (states.get(e.getKey()) == AlertState.State.FIRING) {
          Duration fired = Duration.ofSeconds((System.currentTimeMillis() - gone.firedAt()) / 1000);
          print("RESOLVED", gone, " after " + Durations.format(fired));
        } else {
          print("cleared ", gone, "");
        }
        states.remove(e.getKey());
        it.remove();
      }
    }
    seen.putAll(current);
    current.forEach((k, a) -> states.put(k, a.state()));
    out.flush();
  }

  private void print(String what, AlertState.Alert a, String suffix) {
    out.printf(
        "tillwatch demo: %s %s %-22s %s  [%s, %s]%s%n",
        LocalTime.now().format(CLOCK),
        what,
        a.labels().get("alertname"),
        a.annotations().getOrDefault("summary", ""),
        a.labels().get("severity"),
        a.labels().get("risk"),
        suffix);
  }
}
