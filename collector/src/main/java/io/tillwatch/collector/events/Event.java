package io.tillwatch.collector.events;

import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Something that happened to a tenant's estate and explains what its figures do: a release, a
 * maintenance window, an incident, a note. Posted by CI/CD pipelines and operators ({@code POST
 * /api/v1/events}, {@code tillwatch event}), kept in PostgreSQL and shown as the series {@value
 * #METRIC} (1 at the event) for Grafana's annotations.
 *
 * @param id the storage id (0 before it is stored)
 * @param duration how long it lasts (a maintenance window), if it has a length
 * @param verdict what the release guard concluded about a deploy, once it has
 */
public record Event(
    long id,
    Type type,
    String tenant,
    String service,
    String version,
    Instant at,
    Optional<Duration> duration,
    String text,
    Optional<Verdict> verdict) {

  /** The series each event is shown as. */
  public static final String METRIC = "tillwatch_event";

  /** What kind of event. */
  public enum Type {
    DEPLOY,
    MAINTENANCE,
    INCIDENT,
    NOTE;

    /** The API's spelling: {@code deploy}, {@code maintenance}, {@code incident}, {@code note}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The type of an API spelling; throws naming the accepted ones. */
    public static Type parse(String text) {
      for (Type t : values()) {
        if (t.id().equals(text)) {
          return t;
        }
      }
      throw new IllegalArgumentException(
          "unknown type '" + text + "' (expected deploy, maintenance, incident or note)");
    }
  }

  /**
   * The release guard's conclusion about a deploy.
   *
   * @param healthy whether nothing it compared got worse
   * @param text what it found, in words (the figures before and after)
   * @param decidedAt when it concluded
   */
  public record Verdict(boolean healthy, String text, Instant decidedAt) {}

  public Event {
    service = service == null ? "" : service;
    version = version == null ? "" : version;
    text = text == null ? "" : text;
  }

  /** When it ends: {@code at} plus its duration, if it has one. */
  public Optional<Instant> end() {
    return duration.map(at::plus);
  }

  /** This event with its storage id. */
  public Event withId(long newId) {
    return new Event(newId, type, tenant, service, version, at, duration, text, verdict);
  }

  /** The series it is shown as: {@code tillwatch_event{tenant,type,service,version}}. */
  public Series series() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("tenant", tenant);
    labels.put("type", type.id());
    if (!service.isEmpty()) {
      labels.put("service", service);
    }
    if (!version.isEmpty()) {
      labels.put("version", version);
    }
    return new Series(METRIC, Labels.of(labels));
  }
}
