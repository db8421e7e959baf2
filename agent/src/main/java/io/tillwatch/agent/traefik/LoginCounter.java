package io.tillwatch.agent.traefik;

import com.fasterxml.jackson.databind.JsonNode;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Metric;
import io.tillwatch.model.Sample;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Odoo logins from Traefik's access log, per service: a {@code POST /web/login} that Odoo answers
 * with a redirect logged in, one answered 200 (the form again) failed; 401 and 403 on {@code
 * /web/session/authenticate} and the JSON-RPC and XML-RPC endpoints failed too. No user name or
 * address becomes a label: the source networks of the last 10 minutes' failures (/24, /48) are one
 * info series per service, for an alert's annotation.
 */
final class LoginCounter {
  static final Metric ATTEMPTS =
      Metric.counter(
          "tillwatch_http_login_attempts_total",
          "Odoo login attempts by outcome (success, failure), from the access log. Alert on a"
              + " spike of failures against the service's own baseline.");
  static final Metric TOP_NETWORKS =
      Metric.info(
          "tillwatch_http_login_failures_top_networks_info",
          "The source networks (/24, /48) with the most failed logins in the last 10 minutes, the"
              + " top 3 with their counts in one label; present while there were failures.");

  /** How far back the source networks are counted. */
  static final long WINDOW_MILLIS = 10 * 60_000L;

  /** Networks named at most. */
  static final int TOP = 3;

  private static final Set<String> RPC =
      Set.of("/web/session/authenticate", "/jsonrpc", "/xmlrpc/2/common", "/xmlrpc/common");

  private final Map<Labels, long[]> attempts = new LinkedHashMap<>();
  private final Map<String, Map<Long, Map<String, Long>>> byMinute = new HashMap<>();
  private final LongSupplier clock;

  LoginCounter(LongSupplier clock) {
    this.clock = clock;
  }

  /** Counts a line of {@code service} if it is a login. */
  void record(JsonNode entry, String service, int status) {
    String method = entry.path("RequestMethod").asText("");
    String path = entry.path("RequestPath").asText("");
    int q = path.indexOf('?');
    if (q >= 0) {
      path = path.substring(0, q);
    }
    if (!method.equals("POST")) {
      return;
    }
    Boolean ok = null;
    if (path.equals("/web/login")) {
      if (status / 100 == 3) {
        ok = true;
      } else if (status == 200) {
        ok = false;
      }
    } else if (RPC.contains(path)) {
      if (status == 401 || status == 403) {
        ok = false;
      } else if (status / 100 == 2 && path.equals("/web/session/authenticate")) {
        ok = true;
      }
    }
    if (ok == null) {
      return;
    }
    Labels l = Labels.of("service", service, "outcome", ok ? "success" : "failure");
    attempts.computeIfAbsent(l, k -> new long[1])[0]++;
    if (!ok) {
      long minute = clock.getAsLong() / 60_000;
      byMinute
          .computeIfAbsent(service, k -> new HashMap<>())
          .computeIfAbsent(minute, k -> new HashMap<>())
          .merge(network(entry), 1L, Long::sum);
    }
  }

  /** The counters, and each service's top networks of the window. */
  List<Sample> samples() {
    List<Sample> out = new ArrayList<>();
    attempts.forEach((l, n) -> out.add(ATTEMPTS.sample(l, n[0])));
    long oldest = (clock.getAsLong() - WINDOW_MILLIS) / 60_000;
    byMinute.forEach(
        (service, minutes) -> {
          minutes.keySet().removeIf(m -> m <= oldest);
          Map<String, Long> sum = new HashMap<>();
          minutes.values().forEach(m -> m.forEach((net, n) -> sum.merge(net, n, Long::sum)));
          if (!sum.isEmpty()) {
            String top =
                sum.entrySet().stream()
                    .sorted(
                        Map.Entry.<String, Long>comparingByValue()
                            .reversed()
                            .thenComparing(Map.Entry.comparingByKey()))
                    .limit(TOP)
                    .map(e -> e.getKey() + " (" + e.getValue() + ")")
                    .collect(Collectors.joining(", "));
            out.add(TOP_NETWORKS.sample(Labels.of("service", service, "networks", top), 1));
          }
        });
    byMinute.values().removeIf(Map::isEmpty);
    return out;
  }

  /** The client's network: /24 of an IPv4 address, /48 of an IPv6 one; "unknown" without one. */
  static String network(JsonNode entry) {
    String host = entry.path("ClientHost").asText("");
    if (host.isEmpty()) {
      String addr = entry.path("ClientAddr").asText("");
      int colon = addr.lastIndexOf(':');
      host =
          addr.startsWith("[")
              ? addr.substring(1, addr.indexOf(']'))
              : colon > 0 && addr.indexOf(':') == colon ? addr.substring(0, colon) : addr;
    }
    if (!host.matches("[0-9a-fA-F:.]+")) {
      return "unknown";
    }
    try {
      byte[] a = InetAddress.getByName(host).getAddress(); // a literal: no lookup
      if (a.length == 4) {
        return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + ".0/24";
      }
      return String.format(
          "%x:%x:%x::/48",
          ((a[0] & 0xff) << 8) | (a[1] & 0xff),
          ((a[2] & 0xff) << 8) | (a[3] & 0xff),
          ((a[4] & 0xff) << 8) | (a[5] & 0xff));
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }
}
