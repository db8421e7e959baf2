package io.tillwatch.agent.traefik;

import io.tillwatch.agent.Blocking;
import io.tillwatch.agent.Collector;
import io.tillwatch.agent.ScrapeException;
import io.tillwatch.agent.config.TraefikTargetConfig;
import io.tillwatch.model.Sample;
import io.vertx.core.Future;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * A tenant's share of a Traefik instance: scrapes its Prometheus endpoint, passes the tenant's
 * service, router and certificate series through unchanged, and (optionally) turns its JSON access
 * log into exact latency buckets.
 */
public final class TraefikCollector implements Collector {
  private final TraefikTargetConfig target;
  private final Duration timeout;
  private final Executor blocking;
  private final HttpClient http;
  private final TraefikPassthrough passthrough;
  private final AccessLogLatency accessLog;

  public TraefikCollector(TraefikTargetConfig target, Duration timeout, Executor blocking) {
    this.target = target;
    this.timeout = timeout;
    this.blocking = blocking;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).executor(blocking).build();
    this.passthrough = new TraefikPassthrough(target);
    this.accessLog = target.accessLog().map(p -> new AccessLogLatency(p, target)).orElse(null);
  }

  @Override
  public String name() {
    return target.name();
  }

  @Override
  public Future<List<Sample>> collect() {
    return Blocking.run(blocking, this::scrape);
  }

  private List<Sample> scrape() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(target.url())
            .timeout(timeout.plusSeconds(1))
            .header(
                "Accept",
                "text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5")
            .GET()
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new ScrapeException(
          "http_" + response.statusCode(), target.url() + " answered " + response.statusCode());
    }
    List<ParsedSample> parsed;
    try {
      parsed = ExpositionParser.parse(response.body());
    } catch (ExpositionParseException e) {
      throw new ScrapeException("parse: line " + e.line(), target.url() + ": " + e.getMessage(), e);
    }
    List<Sample> out = new ArrayList<>(passthrough.samples(parsed));
    if (accessLog != null) {
      out.addAll(accessLog.samples());
    }
    return out;
  }
}
