package io.tillwatch.bench;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tillwatch.collector.head.Head;
import io.tillwatch.collector.query.HeadSource;
import io.tillwatch.collector.rules.RuleEngine;
import io.tillwatch.localpg.FreePorts;
import io.tillwatch.model.Labels;
import io.tillwatch.model.Series;
import io.tillwatch.promql.Parser;
import io.tillwatch.rules.Rule;
import io.tillwatch.rules.RuleGroup;
import io.tillwatch.sandbox.PrometheusServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Macro benchmark: one evaluation cycle of a rule pack over 100 tenants' series, tillwatch's engine
 * on the collector's head against the real Prometheus (Debian's) evaluating the same rules over the
 * same samples, which it scrapes from this process while the head gets them too. Prometheus's
 * figure is its own {@code prometheus_rule_group_last_duration_seconds}.
 *
 * <p>Usage: {@code RuleEvalBenchmark [tenants=100] [minutes=6]}
 */
public final class RuleEvalBenchmark {
  private static final long STEP = 15_000;

  private RuleEvalBenchmark() {}

  /** The estate's series and their evolving values. */
  static final class Estate {
    final List<Series> series = new ArrayList<>();
    final double[] values;
    final boolean[] counter;
    final Random random = new Random(11);

    Estate(int tenants) {
      List<Boolean> isCounter = new ArrayList<>();
      double[] bounds = {0.05, 0.1, 0.25, 0.5, 1, 2.5};
      for (int t = 0; t < tenants; t++) {
        String tenant = "tenant-" + t;
        for (String channel : List.of("root.stock", "root.sale")) {
          for (String state : List.of("pending", "started")) {
            add(
                "tillwatch_odoo_queue_oldest_age_seconds",
                false,
                isCounter,
                "tenant",
                tenant,
                "channel",
                channel,
                "state",
                state);
          }
        }
        for (String source : List.of("sale", "pos")) {
          add("tillwatch_odoo_orders_total", true, isCounter, "tenant", tenant, "source", source);
        }
        add(
            "tillwatch_pg_replication_lag_bytes",
            false,
            isCounter,
            "tenant",
            tenant,
            "target",
            "pg-standby");
        for (String target : List.of("pg-primary", "pg-standby", "redis", "odoo")) {
          add("tillwatch_target_up", false, isCounter, "tenant", tenant, "target", target);
        }
        for (String code : List.of("2xx", "4xx", "5xx")) {
          add(
              "tillwatch_http_requests_total",
              true,
              isCounter,
              "tenant",
              tenant,
              "code_class",
              code);
        }
        for (double b : bounds) {
          add(
              "tillwatch_http_request_duration_seconds_bucket",
              true,
              isCounter,
              "tenant",
              tenant,
              "service",
              "odoo",
              "le",
              Double.toString(b));
        }
        add(
            "tillwatch_http_request_duration_seconds_bucket",
            true,
            isCounter,
            "tenant",
            tenant,
            "service",
            "odoo",
            "le",
            "+Inf");
      }
      values = new double[series.size()];
      counter = new boolean[series.size()];
      for (int i = 0; i < counter.length; i++) {
        counter[i] = isCounter.get(i);
        values[i] = series.get(i).name().equals("tillwatch_target_up") ? 1 : 0;
      }
    }

    private void add(String name, boolean isCounter, List<Boolean> kinds, String... labels) {
      series.add(new Series(name, Labels.of(labels)));
      kinds.add(isCounter);
    }

    /** Moves every value on by one scrape. */
    void step() {
      for (int i = 0; i < values.length; i++) {
        if (counter[i]) {
          values[i] += random.nextInt(30);
        } else if (!series.get(i).name().equals("tillwatch_target_up")) {
          values[i] = random.nextInt(1000);
        }
      }
      // keep histogram buckets cumulative
      for (int i = 0; i < values.length; i++) {
        if (series.get(i).name().endsWith("_bucket")
            && i > 0
            && series.get(i - 1).name().endsWith("_bucket")
            && !series.get(i).labels().get("le").equals("0.05")) {
          values[i] = Math.max(values[i], values[i - 1]);
        }
      }
    }

    String exposition() {
      StringBuilder b = new StringBuilder(series.size() * 100);
      for (int i = 0; i < values.length; i++) {
        Series s = series.get(i);
        b.append(s.name()).append('{');
        List<String> n = s.labels().names();
        List<String> v = s.labels().values();
        for (int k = 0; k < n.size(); k++) {
          b.append(k == 0 ? "" : ",").append(n.get(k)).append("=\"").append(v.get(k)).append('"');
        }
        b.append("} ").append(values[i]).append('\n');
      }
      return b.toString();
    }
  }

  public static void main(String[] args) throws Exception {
    int tenants = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    int minutes = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    Estate estate = new Estate(tenants);
    Head head = new Head(Duration.ofHours(3));
    String rules;
    try (InputStream in = RuleEvalBenchmark.class.getResourceAsStream("/bench-rules.yml")) {
      rules = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // the exposition Prometheus scrapes; each scrape moves the estate on and feeds the head
    int exporterPort = FreePorts.next();
    HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", exporterPort), 0);
    exporter.createContext(
        "/metrics",
        ex -> {
          String body;
          synchronized (estate) {
            estate.step();
            long now = System.currentTimeMillis();
            for (int i = 0; i < estate.values.length; i++) {
              head.append(estate.series.get(i), now, estate.values[i]);
            }
            body = estate.exposition();
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
          ex.sendResponseHeaders(200, bytes.length);
          ex.getResponseBody().write(bytes);
          ex.close();
        });
    exporter.start();
    PrometheusServer prometheus =
        PrometheusServer.start(
            """
            global:
              scrape_interval: 15s
              evaluation_interval: 15s
            rule_files: [rules.yml]
            scrape_configs:
              - job_name: estate
                honor_labels: true
                static_configs: [{targets: ['127.0.0.1:%d']}]
            """
                .formatted(exporterPort),
            Map.of("rules.yml", rules));
    try {
      long end = System.currentTimeMillis() + minutes * 60_000L;
      List<Double> promDurations = new ArrayList<>();
      HttpClient http = HttpClient.newHttpClient();
      while (System.currentTimeMillis() < end) {
        Thread.sleep(STEP);
        Double d = promDuration(http, prometheus.url());
        if (d != null) {
          promDurations.add(d);
        }
      }
      RuleGroup group = loadGroup();
      RuleEngine engine =
          new RuleEngine(
              List.of(group),
              Duration.ofSeconds(15),
              new HeadSource(head, io.tillwatch.model.TenantScope.all()),
              b -> true,
              new SimpleMeterRegistry(),
              Map.of(),
              java.time.Clock.systemUTC());
      RuleEngine.GroupState st = engine.groups().get(0);
      long now = System.currentTimeMillis();
      for (int i = 0; i < 50; i++) { // warm-up
        engine.evaluate(st, now);
      }
      double[] ours = new double[50];
      for (int i = 0; i < ours.length; i++) {
        engine.evaluate(st, now);
        ours[i] = st.lastDurationSeconds();
      }
      Arrays.sort(ours);
      List<Double> theirs =
          promDurations.subList(Math.max(0, promDurations.size() - 10), promDurations.size());
      double theirMedian = theirs.stream().sorted().toList().get(theirs.size() / 2);
      System.out.printf(
          Locale.ROOT,
          "%d tenants, %d series, %d rules, head of %d samples (%d min of 15 s scrapes)%n"
              + "  tillwatch: one cycle median %.2f ms (p90 %.2f ms) over 50 cycles%n"
              + "  Prometheus 2.42: prometheus_rule_group_last_duration_seconds median %.2f ms"
              + " (last %d evaluations: %s)%n"
              + "  tillwatch / Prometheus: %.2f; cycle / 15 s interval: %.3f %%%n",
          tenants,
          estate.series.size(),
          group.rules().size(),
          head.samples(),
          minutes,
          ours[ours.length / 2] * 1000,
          ours[(int) (ours.length * 0.9)] * 1000,
          theirMedian * 1000,
          theirs.size(),
          theirs.stream().map(x -> String.format(Locale.ROOT, "%.2f", x * 1000)).toList(),
          ours[ours.length / 2] / theirMedian,
          ours[ours.length / 2] * 1000 / 15_000 * 100);
    } finally {
      prometheus.close();
      exporter.stop(0);
    }
  }

  private static RuleGroup loadGroup() throws IOException {
    // the same file Prometheus reads; the plain fields only, parsed by the engine's parser
    List<Rule> rules = new ArrayList<>();
    String text;
    try (InputStream in = RuleEvalBenchmark.class.getResourceAsStream("/bench-rules.yml")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i].trim();
      if (l.startsWith("- record: ") || l.startsWith("- alert: ")) {
        String name = l.substring(l.indexOf(':') + 2).trim();
        String expr = lines[i + 1].trim().substring("expr: ".length());
        if (l.startsWith("- record: ")) {
          rules.add(new Rule.Recording(name, expr, Parser.parse(expr), Map.of()));
        } else {
          String forText = lines[i + 2].trim().substring("for: ".length());
          rules.add(
              new Rule.Alerting(
                  name,
                  expr,
                  Parser.parse(expr),
                  io.tillwatch.model.Durations.parse(forText),
                  Duration.ZERO,
                  Map.of("severity", "page"),
                  Map.of(),
                  null,
                  "",
                  Rule.During.ALWAYS,
                  Map.of()));
        }
      }
    }
    return new RuleGroup("tenant-pack", Duration.ofSeconds(15), rules);
  }

  private static Double promDuration(HttpClient http, URI prometheus) {
    try {
      String body =
          http.send(
                  HttpRequest.newBuilder(prometheus.resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : body.split("\n")) {
        if (line.startsWith("prometheus_rule_group_last_duration_seconds{")) {
          double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          return v > 0 ? v : null;
        }
      }
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return null;
    }
    return null;
  }
}
