package io.tillwatch.collector.cluster;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;

/**
 * Which tenants this collector evaluates when several replicas share one PostgreSQL: tenants fall
 * into {@code shards} by a hash of their id, and each shard is leased to one live replica at a time
 * (a row of {@code tenant_shard_leases} with an expiry). Every round (a third of the lease's time
 * to live) a replica writes its heartbeat, works out from the replicas alive which shards are its
 * share (shard {@code i} to the {@code i mod n}-th of the live replicas by name), renews those it
 * holds, takes those that are free or expired, and hands over those that are now another replica's
 * share: it stops evaluating them at once and releases them a round later, so that an evaluation
 * still running has ended before the new holder begins. A replica that dies stops renewing: its
 * leases expire within the time to live and the others take them on their next round.
 */
public final class Leases {
  /** A replica as {@code /api/v1/status/cluster} shows it. */
  public record Replica(
      String name, String address, long startedAt, long heartbeatAt, List<Integer> shards) {}

  /** Which tenants are this replica's now; {@code version} changes whenever that changes. */
  public record Snapshot(long version, Set<Integer> shards, int shardCount) {
    /** Whether {@code tenant} is this replica's to evaluate. */
    public boolean owns(String tenant) {
      return shards.contains(shardOf(tenant, shardCount));
    }
  }

  private final ConnectionSource db;
  private final String replica;
  private final String address;
  private final int shards;
  private final long ttl;
  private final LongSupplier clock;
  private final long startedAt;
  private final Set<Integer> handingOver = new HashSet<>();
  private volatile Snapshot snapshot;
  private volatile long validUntil;
  private long version;
  private boolean left;

  /** Where connections come from. */
  @FunctionalInterface
  public interface ConnectionSource {
    Connection connect() throws SQLException;
  }

  public Leases(
      ConnectionSource db,
      String replica,
      String address,
      int shards,
      Duration ttl,
      LongSupplier clock) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1");
    }
    this.db = db;
    this.replica = replica;
    this.address = address;
    this.shards = shards;
    this.ttl = ttl.toMillis();
    this.clock = clock;
    this.startedAt = clock.getAsLong();
    this.snapshot = new Snapshot(0, Set.of(), shards);
  }

  /** The shard of a tenant: the CRC-32 of its id, modulo the shards. */
  public static int shardOf(String tenant, int shards) {
    CRC32 crc = new CRC32();
    crc.update(tenant.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % shards);
  }

  /** The live replica a shard goes to: the highest score of its name with the shard. */
  static String wanted(int shard, List<String> live) {
    String best = null;
    long bestScore = 0;
    for (String r : live) {
      long score = mix(r.hashCode() * 0x9E3779B97F4A7C15L + shard);
      if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
        best = r;
        bestScore = score;
      }
    }
    return best;
  }

  /** SplitMix64's finalizer: every input bit moves every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** How often {@link #renew} is to be called: a third of the lease's time to live. */
  public Duration round() {
    return Duration.ofMillis(Math.max(1, ttl / 3));
  }

  /** This replica's name. */
  public String replica() {
    return replica;
  }

  /**
   * The tenants this replica evaluates now: none once its leases may have expired (the last renewal
   * longer ago than the time to live), whatever the rows say.
   */
  public Snapshot current() {
    Snapshot s = snapshot;
    if (clock.getAsLong() >= validUntil && !s.shards().isEmpty()) {
      return new Snapshot(-1, Set.of(), shards);
    }
    return s;
  }

  /** One round: heartbeat, then keep, take and hand over shards (one transaction). */
  public synchronized void renew() throws SQLException {
    if (left) {
      return;
    }
    long now = clock.getAsLong();
    Set<Integer> mine = new TreeSet<>();
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        try (Statement s = c.createStatement()) {
          // rounds of all replicas one after another: each sees the others' last word
          s.execute("LOCK TABLE tenant_shard_leases IN EXCLUSIVE MODE");
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO cluster_replicas (replica, address, started_at, heartbeat_at)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (replica) DO UPDATE SET"
                    + " address = excluded.address, started_at = excluded.started_at,"
                    + " heartbeat_at = excluded.heartbeat_at")) {
          ps.setString(1, replica);
          ps.setString(2, address);
          ps.setLong(3, startedAt);
          ps.setLong(4, now);
          ps.executeUpdate();
        }
        List<String> live = new ArrayList<>();
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT replica FROM cluster_replicas WHERE heartbeat_at > ? ORDER BY replica")) {
          ps.setLong(1, now - ttl);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              live.add(rs.getString(1));
            }
          }
        }
        Map<Integer, String> holder = new HashMap<>();
        Map<Integer, Long> expires = new HashMap<>();
        try (Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery("SELECT shard, holder, expires_at FROM tenant_shard_leases")) {
          while (rs.next()) {
            holder.put(rs.getInt(1), rs.getString(2));
            expires.put(rs.getInt(1), rs.getLong(3));
          }
        }
        try (PreparedStatement take =
                c.prepareStatement(
                    "INSERT INTO tenant_shard_leases (shard, holder, expires_at, taken_at)"
                        + " VALUES (?, ?, ?, ?) ON CONFLICT (shard) DO UPDATE SET"
                        + " holder = excluded.holder, expires_at = excluded.expires_at,"
                        + " taken_at = CASE WHEN tenant_shard_leases.holder = excluded.holder"
                        + " THEN tenant_shard_leases.taken_at ELSE excluded.taken_at END");
            PreparedStatement release =
                c.prepareStatement(
                    "DELETE FROM tenant_shard_leases WHERE shard = ? AND holder = ?")) {
          for (int shard = 0; shard < shards; shard++) {
            String wanted = wanted(shard, live);
            String held = holder.get(shard);
            boolean free = held == null || expires.get(shard) <= now;
            if (wanted.equals(replica)) {
              handingOver.remove(shard);
              if (free || held.equals(replica)) {
                take.setInt(1, shard);
                take.setString(2, replica);
                take.setLong(3, now + ttl);
                take.setLong(4, now);
                take.addBatch();
                mine.add(shard);
              }
            } else if (replica.equals(held) && !free) {
              if (handingOver.remove(shard)) {
                release.setInt(1, shard);
                release.setString(2, replica);
                release.addBatch();
              } else {
                // no longer evaluated from now on; the lease goes next round
                handingOver.add(shard);
                take.setInt(1, shard);
                take.setString(2, replica);
                take.setLong(3, now + ttl);
                take.setLong(4, now);
                take.addBatch();
              }
            } else {
              handingOver.remove(shard);
            }
          }
          take.executeBatch();
          release.executeBatch();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
    validUntil = now + ttl;
    if (!mine.equals(snapshot.shards())) {
      snapshot = new Snapshot(++version, Set.copyOf(mine), shards);
    }
  }

  /** Gives up this replica's shards and heartbeat (a clean stop): the others take over at once. */
  public synchronized void leave() throws SQLException {
    left = true;
    try (Connection c = db.connect();
        PreparedStatement l =
            c.prepareStatement("DELETE FROM tenant_shard_leases WHERE holder = ?");
        PreparedStatement r =
            c.prepareStatement("DELETE FROM cluster_replicas WHERE replica = ?")) {
      l.setString(1, replica);
      l.executeUpdate();
      r.setString(1, replica);
      r.executeUpdate();
    }
    snapshot = new Snapshot(++version, Set.of(), shards);
  }

  /** Every replica alive or recently seen, with the shards it holds. */
  public List<Replica> replicas() throws SQLException {
    long now = clock.getAsLong();
    Map<String, List<Integer>> held = new HashMap<>();
    List<Replica> out = new ArrayList<>();
    try (Connection c = db.connect()) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT shard, holder FROM tenant_shard_leases WHERE expires_at > ? ORDER BY shard")) {
        ps.setLong(1, now);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            held.computeIfAbsent(rs.getString(2), k -> new ArrayList<>()).add(rs.getInt(1));
          }
        }
      }
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT replica, address, started_at, heartbeat_at FROM cluster_replicas"
                      + " ORDER BY replica")) {
        while (rs.next()) {
          out.add(
              new Replica(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getLong(3),
                  rs.getLong(4),
                  held.getOrDefault(rs.getString(1), List.of())));
        }
      }
    }
    return out;
  }

  /** The lease's time to live. */
  public Duration ttl() {
    return Duration.ofMillis(ttl);
  }

  /** The shards in all. */
  public int shards() {
    return shards;
  }
}
