package io.tillwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The dashboards of {@code grafana/}, their panels' and variables' queries, as Grafana sends them.
 */
final class Dashboards {
  static final Path DIR = Path.of("grafana");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Dashboards() {}

  /** One query of a dashboard: a panel target, an annotation or a variable. */
  record Query(
      String file, String panel, String ref, String expr, boolean instant, String timeFrom) {
    String name() {
      return file + " / " + panel + " / " + ref;
    }
  }

  static List<Path> files() {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode read(Path f) {
    try {
      return JSON.readTree(f.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + f, e);
    }
  }

  /** Every panel target and annotation query of every dashboard. */
  static List<Query> queries() {
    List<Query> out = new ArrayList<>();
    for (Path f : files()) {
      JsonNode d = read(f);
      String file = f.getFileName().toString();
      for (JsonNode p : d.path("panels")) {
        for (JsonNode t : p.path("targets")) {
          out.add(
              new Query(
                  file,
                  p.path("title").asText(),
                  t.path("refId").asText(),
                  t.path("expr").asText(),
                  t.path("instant").asBoolean(),
                  p.path("timeFrom").asText("")));
        }
      }
      for (JsonNode a : d.path("annotations").path("list")) {
        if (a.path("target").has("expr")) {
          out.add(
              new Query(
                  file,
                  "annotation " + a.path("name").asText(),
                  "Anno",
                  a.path("target").path("expr").asText(),
                  false,
                  ""));
        }
      }
    }
    return out;
  }

  /** Every query variable's definition ({@code label_values(...)}, {@code query_result(...)}). */
  static List<Query> variables() {
    List<Query> out = new ArrayList<>();
    for (Path f : files()) {
      for (JsonNode v : read(f).path("templating").path("list")) {
        if (v.path("type").asText().equals("query")) {
          out.add(
              new Query(
                  f.getFileName().toString(),
                  "variable " + v.path("name").asText(),
                  "var",
                  v.path("query").path("query").asText(),
                  true,
                  ""));
        }
      }
    }
    return out;
  }

  /**
   * A dashboard time range as Grafana turns it into macros, for a data source whose scrape interval
   * ({@code timeInterval}) is 1 minute and a panel about 1,000 points wide: {@code $__interval} is
   * the range over the points rounded up to Grafana's steps, at least the scrape interval; {@code
   * $__rate_interval} is the larger of that plus a scrape interval and four scrape intervals.
   */
  record Range(String name, Duration length, Duration interval) {
    static final Duration SCRAPE = Duration.ofMinutes(1);
    static final Range SIX_HOURS = new Range("6h", Duration.ofHours(6), Duration.ofMinutes(1));
    static final Range SEVEN_DAYS = new Range("7d", Duration.ofDays(7), Duration.ofMinutes(10));

    Duration rateInterval() {
      Duration a = interval.plus(SCRAPE);
      Duration b = SCRAPE.multipliedBy(4);
      return a.compareTo(b) > 0 ? a : b;
    }

    /** {@code expr} with Grafana's macros and the variables' values substituted. */
    String expand(String expr, Map<String, String> variables, Duration range) {
      String e =
          expr.replace("$__rate_interval", rateInterval().toSeconds() + "s")
              .replace("$__interval", interval.toSeconds() + "s")
              .replace("$__range", range.toSeconds() + "s");
      for (Map.Entry<String, String> v : variables.entrySet()) {
        e =
            e.replace("$" + v.getKey(), v.getValue())
                .replace("${" + v.getKey() + "}", v.getValue());
      }
      return e;
    }
  }
}
