package io.tillwatch.health;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A component's health as a value: ok, or failing with the reason of its last failure; {@code
 * since} is when it entered that state.
 *
 * @param reason why it fails; empty when ok
 */
public record Health(boolean ok, String reason, Instant since) {
  public Health {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(since, "since");
    if (!ok && reason.isBlank()) {
      throw new IllegalArgumentException("a failing component says why");
    }
  }

  /** Ok since {@code since}. */
  public static Health ok(Instant since) {
    return new Health(true, "", since);
  }

  /** Failing since {@code since}, for {@code reason}. */
  public static Health failing(String reason, Instant since) {
    return new Health(false, reason, since);
  }

  /** The reason, when failing. */
  public Optional<String> failure() {
    return ok ? Optional.empty() : Optional.of(reason);
  }
}
