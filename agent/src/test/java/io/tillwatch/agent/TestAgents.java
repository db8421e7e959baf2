package io.tillwatch.agent;

import io.tillwatch.agent.config.AgentConfig;
import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.PostgresTargetConfig;
import io.tillwatch.agent.config.TargetConfig;
import io.tillwatch.agent.config.TenantConfig;
import io.tillwatch.calendar.BusinessHours;
import io.tillwatch.localpg.PostgresServer;
import io.tillwatch.model.HostPort;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Sample;
import io.tillwatch.model.Secret;
import io.tillwatch.model.Tenant;
import io.tillwatch.model.Tier;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;

/** Builds agents on loopback for tests and reads their samples. */
public final class TestAgents {
  public static final String MONITOR = "monitor";
  public static final String MONITOR_PASSWORD = "m0nitor-secret";

  private TestAgents() {}

  public static Tenant tenant(String id) {
    return new Tenant(id, id, Tier.DEDICATED, ZoneId.of("Europe/Berlin"), BusinessHours.always());
  }

  public static PostgresTargetConfig postgres(
      String name, PostgresServer server, boolean heartbeat) {
    return postgres(name, server.jdbcUrl("postgres"), MONITOR, MONITOR_PASSWORD, heartbeat);
  }

  public static PostgresTargetConfig postgres(
      String name, String url, String user, String password, boolean heartbeat) {
    return new PostgresTargetConfig(
        name, url, user, Secret.of(password), heartbeat, Optional.empty(), Optional.empty());
  }

  /** An estate with one tenant {@code acme} on an ephemeral port. */
  public static EstateConfig estate(Duration interval, Duration timeout, TargetConfig... targets) {
    return new EstateConfig(
        new AgentConfig(new HostPort("127.0.0.1", 0), interval, timeout),
        List.of(new TenantConfig(tenant("acme"), List.of(targets))));
  }

  /** Creates and starts an agent; fails the test when it cannot bind. */
  public static Agent started(EstateConfig estate) {
    return started(Agent.create(estate));
  }

  /** Starts {@code agent}; fails the test when it cannot bind. */
  public static Agent started(Agent agent) {
    try {
      agent.start().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("agent did not start", e);
    }
    return agent;
  }

  public static void stop(Agent agent) {
    if (agent != null) {
      try {
        agent.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("agent did not stop", e);
      }
    }
  }

  /** The value of the one sample of {@code metric} whose labels include {@code labels}. */
  public static OptionalDouble value(List<Sample> samples, String metric, String... labels) {
    Labels wanted = Labels.of(labels);
    return samples.stream()
        .filter(s -> s.name().equals(metric))
        .filter(
            s ->
                wanted.asMap().entrySet().stream()
                    .allMatch(e -> e.getValue().equals(s.labels().get(e.getKey()))))
        .mapToDouble(Sample::value)
        .findFirst();
  }

  /** Like {@link #value} but NaN when absent, for assertions. */
  public static double valueOrNaN(Agent agent, String metric, String... labels) {
    return value(agent.samples(), metric, labels).orElse(Double.NaN);
  }
}
