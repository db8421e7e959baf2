package io.tillwatch.agent.postgres;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the agent's primaries last reported, so that their standbys can be judged against them. A
 * standby finds its primary by the explicit {@code primary:} target name, else by its WAL
 * receiver's {@code sender_host:sender_port} matching a primary target's URL.
 */
public final class ReplicationTopology {
  /** A primary's latest report. */
  record PrimaryState(String name, List<String> endpoints, double lsn, HeartbeatLog heartbeats) {}

  private final ConcurrentHashMap<String, PrimaryState> primaries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, List<String>> resolved = new ConcurrentHashMap<>();

  /** Records a primary's current LSN (bytes). */
  void publishPrimary(String name, String jdbcUrl, double lsn) {
    primaries.compute(
        name,
        (k, old) ->
            new PrimaryState(
                name,
                old != null ? old.endpoints() : endpoints(jdbcUrl),
                lsn,
                old != null ? old.heartbeats() : new HeartbeatLog()));
  }

  /** Records a heartbeat written on a primary (agent clock, epoch ms). */
  void heartbeatWritten(String name, String jdbcUrl, long epochMillis) {
    primaries
        .computeIfAbsent(
            name, k -> new PrimaryState(name, endpoints(jdbcUrl), Double.NaN, new HeartbeatLog()))
        .heartbeats()
        .written(epochMillis);
  }

  /** The primary of a standby: by name, else by the sender its WAL receiver reports. */
  Optional<PrimaryState> find(String explicitName, String senderHost, int senderPort) {
    if (explicitName != null) {
      return Optional.ofNullable(primaries.get(explicitName));
    }
    if (senderHost == null) {
      return Optional.empty();
    }
    List<String> sender = addresses(senderHost, senderPort);
    for (PrimaryState p : primaries.values()) {
      for (String endpoint : p.endpoints()) {
        int colon = endpoint.lastIndexOf(':');
        List<String> candidate =
            addresses(
                endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
        if (candidate.stream().anyMatch(sender::contains)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  /** The primary last found under this name. */
  Optional<PrimaryState> byName(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(primaries.get(name));
  }

  private List<String> addresses(String host, int port) {
    return resolved.computeIfAbsent(
        host.toLowerCase(Locale.ROOT) + ":" + port,
        key -> {
          List<String> out = new ArrayList<>(List.of(key));
          try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
              out.add(a.getHostAddress() + ":" + port);
            }
          } catch (UnknownHostException e) {
            // an unresolvable name can still match by its spelling
          }
          return List.copyOf(out);
        });
  }

  /** {@code host:port} pairs of a JDBC URL ({@code jdbc:postgresql://h1:p1,h2/db}). */
  static List<String> endpoints(String jdbcUrl) {
    String rest = jdbcUrl.substring("jdbc:postgresql:".length());
    if (!rest.startsWith("//")) {
      return List.of("localhost:5432");
    }
    rest = rest.substring(2);
    int slash = rest.indexOf('/');
    String hosts = slash >= 0 ? rest.substring(0, slash) : rest;
    int query = hosts.indexOf('?');
    if (query >= 0) {
      hosts = hosts.substring(0, query);
    }
    List<String> out = new ArrayList<>();
    for (String h : hosts.split(",")) {
      if (h.isEmpty()) {
        continue;
      }
      boolean ipv6 = h.startsWith("[");
      int colon = ipv6 ? h.indexOf("]:") + 1 : h.lastIndexOf(':');
      String host = colon > 0 ? h.substring(0, colon) : h;
      String port = colon > 0 ? h.substring(colon + 1) : "5432";
      if (ipv6) {
        host = host.replace("[", "").replace("]", "");
      }
      out.add(host.toLowerCase(Locale.ROOT) + ":" + port);
    }
    return out.isEmpty() ? List.of("localhost:5432") : List.copyOf(out);
  }
}
