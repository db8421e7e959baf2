package io.tillwatch.collector.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tillwatch.collector.store.PgStore;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.Secret;
import io.tillwatch.testkit.PostgresExtension;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leases on tenant shards between three replicas on a real PostgreSQL, on a clock of the test's:
 * every tenant has exactly one replica at every moment (or none, for the round of a hand-over), a
 * replica that stops renewing loses its tenants to the others within the lease's time to live and a
 * round, and one that comes back gets its share again.
 */
class LeasesIT {
  @RegisterExtension static final PostgresExtension PG = new PostgresExtension();
  private static final Duration TTL = Duration.ofSeconds(9);
  private static final int SHARDS = 16;

  private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);

  private static List<String> tenants() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      out.add("tenant-" + i);
    }
    return out;
  }

  /** Tenant → the replicas that own it now (by their snapshots). */
  private static Map<String, List<String>> owners(List<Leases> replicas) {
    Map<String, List<String>> out = new HashMap<>();
    for (String t : tenants()) {
      List<String> who = new ArrayList<>();
      for (Leases l : replicas) {
        if (l.current().owns(t)) {
          who.add(l.replica());
        }
      }
      out.put(t, who);
    }
    return out;
  }

  /** One round of each of {@code alive}, a round's time apart; no tenant ever has two owners. */
  private void round(List<Leases> alive, List<Leases> all) throws SQLException {
    for (Leases l : alive) {
      l.renew();
      owners(all).forEach((t, who) -> assertThat(who).as(t).hasSizeLessThanOrEqualTo(1));
    }
    clock.addAndGet(TTL.toMillis() / 3);
  }

  @Test
  void eachTenantHasOneReplicaADeadOnesTenantsMoveAndAReturningOneGetsItsShare() throws Exception {
    PostgresServer pg = PG.server();
    String url = PG.createDatabase("leases");
    try (PgStore store =
        PgStore.open(
            url,
            PostgresServer.SUPERUSER,
            Secret.of(pg.superuserPassword()),
            Duration.ofDays(90))) {
      Leases a = new Leases(store::read, "a", "a:1", SHARDS, TTL, clock::get);
      Leases b = new Leases(store::read, "b", "b:1", SHARDS, TTL, clock::get);
      Leases c = new Leases(store::read, "c", "c:1", SHARDS, TTL, clock::get);
      List<Leases> all = List.of(a, b, c);
      for (int i = 0; i < 4; i++) {
        round(all, all);
      }
      // settled: every tenant exactly one owner, every shard held, each replica some
      owners(all).forEach((t, who) -> assertThat(who).as(t).hasSize(1));
      assertThat(all).allMatch(l -> !l.current().shards().isEmpty());
      assertThat(all.stream().mapToInt(l -> l.current().shards().size()).sum()).isEqualTo(SHARDS);
      List<Leases.Replica> listed = a.replicas();
      assertThat(listed).extracting(Leases.Replica::name).containsExactly("a", "b", "c");
      for (int i = 0; i < 3; i++) {
        assertThat(listed.get(i).shards())
            .containsExactlyInAnyOrderElementsOf(all.get(i).current().shards());
      }
      java.util.Set<Integer> shardsOfA = a.current().shards();
      java.util.Set<Integer> shardsOfB = b.current().shards();
      java.util.Set<Integer> shardsOfC = c.current().shards();

      // b dies (stops renewing): its snapshot goes empty by itself once its leases may have
      // expired, and a and c hold its shards within the time to live and one round
      long died = clock.get();
      List<String> ofB = new ArrayList<>();
      for (String t : tenants()) {
        if (b.current().owns(t)) {
          ofB.add(t);
        }
      }
      assertThat(ofB).isNotEmpty();
      long takenAt = -1;
      for (int i = 0; i < 12 && takenAt < 0; i++) {
        round(List.of(a, c), all);
        Map<String, List<String>> now = owners(all);
        if (ofB.stream().allMatch(t -> now.get(t).size() == 1 && !now.get(t).contains("b"))) {
          takenAt = clock.get();
        }
      }
      assertThat(takenAt).as("b's tenants taken over").isPositive();
      assertThat(takenAt - died).isLessThanOrEqualTo(TTL.toMillis() + 2 * TTL.toMillis() / 3);
      assertThat(b.current().shards()).isEmpty();
      assertThat(a.current().shards().size() + c.current().shards().size()).isEqualTo(SHARDS);
      // only b's shards moved: a and c kept theirs
      assertThat(a.current().shards()).containsAll(shardsOfA);
      assertThat(c.current().shards()).containsAll(shardsOfC);

      // b comes back: a and c hand its share over (a round without owner), b takes it
      for (int i = 0; i < 4; i++) {
        round(all, all);
      }
      owners(all).forEach((t, who) -> assertThat(who).as(t).hasSize(1));
      assertThat(b.current().shards()).isEqualTo(shardsOfB);
      assertThat(a.current().shards()).isEqualTo(shardsOfA);

      // a stops cleanly: its tenants go at the others' next rounds, without waiting for expiry
      a.leave();
      round(List.of(b, c), List.of(b, c));
      round(List.of(b, c), List.of(b, c));
      owners(List.of(b, c)).forEach((t, who) -> assertThat(who).as(t).hasSize(1));
      assertThat(b.current().shards().size() + c.current().shards().size()).isEqualTo(SHARDS);
    }
  }

  @Test
  void tenantsSpreadOverShardsByAStableHash() {
    assertThat(Leases.shardOf("acme", 64)).isEqualTo(Leases.shardOf("acme", 64));
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < 6400; i++) {
      counts.merge(Leases.shardOf("tenant-" + i, 64), 1, Integer::sum);
    }
    assertThat(counts).hasSize(64);
    assertThat(counts.values()).allMatch(n -> n > 50 && n < 150);
  }
}
