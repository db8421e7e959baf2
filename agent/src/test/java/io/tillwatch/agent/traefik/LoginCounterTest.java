package io.tillwatch.agent.traefik;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class LoginCounterTest {
  private static String network(String json) throws Exception {
    return LoginCounter.network(new ObjectMapper().readTree(json));
  }

  @Test
  void sourcesAreNetworksNeverAddresses() throws Exception {
    assertThat(network("{\"ClientHost\": \"203.0.113.77\"}")).isEqualTo("203.0.113.0/24");
    assertThat(network("{\"ClientAddr\": \"203.0.113.77:51234\"}")).isEqualTo("203.0.113.0/24");
    assertThat(network("{\"ClientAddr\": \"[2001:db8:abcd:12::5]:443\"}"))
        .isEqualTo("2001:db8:abcd::/48");
    // a name is never looked up; nothing is no network
    assertThat(network("{\"ClientHost\": \"attacker.example\"}")).isEqualTo("unknown");
    assertThat(network("{}")).isEqualTo("unknown");
  }
}
