package io.tillwatch.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplicationTopologyTest {
  @Test
  void endpointsOfJdbcUrls() {
    assertThat(ReplicationTopology.endpoints("jdbc:postgresql://10.0.0.5:5433/postgres"))
        .containsExactly("10.0.0.5:5433");
    assertThat(ReplicationTopology.endpoints("jdbc:postgresql://DB.example/app?ssl=true"))
        .containsExactly("db.example:5432");
    assertThat(ReplicationTopology.endpoints("jdbc:postgresql://a:1,b/x"))
        .containsExactly("a:1", "b:5432");
    assertThat(ReplicationTopology.endpoints("jdbc:postgresql://[::1]:6000/x"))
        .containsExactly("::1:6000");
    assertThat(ReplicationTopology.endpoints("jdbc:postgresql:mydb"))
        .containsExactly("localhost:5432");
  }

  @Test
  void findsAStandbysPrimaryByNameOrBySender() {
    ReplicationTopology t = new ReplicationTopology();
    t.publishPrimary("acme-primary", "jdbc:postgresql://127.0.0.1:5999/postgres", 42);
    t.publishPrimary("other-primary", "jdbc:postgresql://127.0.0.2:5432/postgres", 7);
    assertThat(t.find(null, "127.0.0.1", 5999))
        .hasValueSatisfying(p -> assertThat(p.lsn()).isEqualTo(42));
    assertThat(t.find(null, "localhost", 5999))
        .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("acme-primary"));
    assertThat(t.find(null, "127.0.0.1", 5432)).isEmpty();
    assertThat(t.find("other-primary", "127.0.0.1", 5999))
        .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("other-primary"));
    assertThat(t.find(null, null, 0)).isEmpty();
  }
}
