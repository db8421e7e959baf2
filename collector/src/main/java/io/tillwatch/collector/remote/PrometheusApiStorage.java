package io.tillwatch.collector.remote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tillwatch.collector.config.RemoteStorageConfig;
import io.tillwatch.collector.config.RemoteWriteConfig;
import io.tillwatch.collector.store.SampleStorage;
import io.tillwatch.model.Labels;
import io.tillwatch.model.TenantScope;
import io.tillwatch.promql.Matcher;
import io.tillwatch.promql.SeriesSource;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Stored samples read from a Prometheus-compatible HTTP API (Prometheus, Grafana Mimir, Thanos
 * Query, VictoriaMetrics): a selector's raw samples in {@code [minTime, maxTime]} are the answer to
 * the instant query {@code selector[<range>ms]} at {@code maxTime}, which every one of them answers
 * with the samples as stored; the engine evaluates over them as over its own storage.
 *
 * <p>Tenants: each selector gets a {@code tenant} matcher for the tenants the reader may see. When
 * the tenant is a header ({@code tenant_header}, Mimir's {@code X-Scope-OrgID}) or an account in
 * the URL (VictoriaMetrics cluster), each tenant is asked on its own, with its own header or URL,
 * so that a query never reads under another tenant's scope.
 */
public final class PrometheusApiStorage implements SampleStorage {
  private static final JsonFactory JSON = new JsonFactory();

  private final RemoteStorageConfig config;
  private final Supplier<Set<String>> knownTenants;
  private final HttpClient http;

  /**
   * @param knownTenants every tenant with samples (for readers that see all tenants, when each
   *     tenant is asked on its own)
   */
  public PrometheusApiStorage(RemoteStorageConfig config, Supplier<Set<String>> knownTenants) {
    this.config = config;
    this.knownTenants = knownTenants;
    this.http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
  }

  @Override
  public SeriesSource source(TenantScope tenants) {
    return (matchers, minTime, maxTime) -> select(matchers, minTime, maxTime, tenants);
  }

  /** The samples of every series {@code matchers} select in [{@code minTime}, {@code maxTime}]. */
  public List<SeriesSource.Stored> select(
      List<Matcher> matchers, long minTime, long maxTime, TenantScope tenants) {
    if (maxTime < minTime) {
      return List.of();
    }
    long from = Math.max(minTime, 0);
    // the range reaches one millisecond further back: engines differ on whether its start is in
    String range = "[" + (maxTime - from + 1) + "ms]";
    String time = seconds(maxTime);
    List<SeriesSource.Stored> out = new ArrayList<>();
    for (byte[] body :
        ask(
            tenants,
            matchers,
            selector -> "/api/v1/query?query=" + encode(selector + range) + "&time=" + time)) {
      out.addAll(matrix(body, from, maxTime));
    }
    return out;
  }

  @Override
  public List<Labels> series(
      List<Matcher> matchers, long minTime, long maxTime, TenantScope tenants) {
    // an absent start is "the last day" to some engines: ask from the epoch
    String start = "&start=" + seconds(Math.max(minTime, 0));
    String end = maxTime == Long.MAX_VALUE ? "" : "&end=" + seconds(maxTime);
    List<Labels> out = new ArrayList<>();
    for (byte[] body :
        ask(
            tenants,
            matchers,
            selector -> "/api/v1/series?match[]=" + encode(selector) + start + end)) {
      out.addAll(labelSets(body));
    }
    return out;
  }

  /** The query for each scope asked (one, or one a tenant), all in flight together; the answers. */
  private List<byte[]> ask(
      TenantScope tenants,
      List<Matcher> matchers,
      java.util.function.Function<String, String> path) {
    List<CompletableFuture<byte[]>> pending = new ArrayList<>();
    if (config.perTenant()) {
      Set<String> asked = new TreeSet<>(tenants.tenants().orElseGet(knownTenants));
      for (String tenant : asked) {
        if (!tenants.allows(tenant)) {
          continue;
        }
        Optional<URI> base = base(tenant);
        if (base.isEmpty()) {
          continue; // no account: the tenant has nothing stored there
        }
        String selector = selector(matchers, Set.of(tenant));
        pending.add(get(URI.create(base.get() + path.apply(selector)), tenant));
      }
    } else {
      Optional<Set<String>> only = tenants.tenants();
      if (only.isPresent() && only.get().isEmpty()) {
        return List.of();
      }
      String selector = selector(matchers, only.orElse(null));
      pending.add(get(URI.create(config.queryUrl() + path.apply(selector)), null));
    }
    List<byte[]> out = new ArrayList<>(pending.size());
    for (CompletableFuture<byte[]> p : pending) {
      try {
        out.add(p.join());
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r
            ? r
            : new IllegalStateException(e.getCause().getMessage(), e.getCause());
      }
    }
    return out;
  }

  /** The query URL for {@code tenant}: its account put in, when the URL has one. */
  private Optional<URI> base(String tenant) {
    String url = config.queryUrl().toString();
    if (!url.contains(RemoteWriteConfig.ACCOUNT_PLACEHOLDER)) {
      return Optional.of(config.queryUrl());
    }
    String account = config.write().tenantAccounts().get(tenant);
    return account == null
        ? Optional.empty()
        : Optional.of(
            URI.create(
                url.replace(
                    RemoteWriteConfig.ACCOUNT_PLACEHOLDER,
                    URLEncoder.encode(account, StandardCharsets.UTF_8))));
  }

  private CompletableFuture<byte[]> get(URI uri, String tenant) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri)
            .timeout(config.write().timeout())
            .header("User-Agent", "tillwatch")
            .header("Accept", "application/json")
            .GET();
    config.write().headers().forEach(b::header);
    if (tenant != null) {
      config.write().tenantHeader().ifPresent(h -> b.header(h, tenant));
    }
    String where = uri.getHost() + ":" + uri.getPort();
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (r, e) -> {
              if (e != null) {
                Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                throw new IllegalStateException(
                    "remote storage "
                        + where
                        + " did not answer: "
                        + cause.getClass().getSimpleName()
                        + (cause.getMessage() == null ? "" : " " + cause.getMessage()),
                    cause);
              }
              if (r.statusCode() != 200) {
                throw new IllegalStateException(
                    "remote storage " + where + " answered " + r.statusCode() + ": " + reason(r));
              }
              return r.body();
            });
  }

  /** The error Prometheus's API gives, or the start of the body. */
  private static String reason(HttpResponse<byte[]> r) {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    try (JsonParser p = JSON.createParser(r.body())) {
      if (p.nextToken() == JsonToken.START_OBJECT) {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          if (field.equals("error")) {
            return p.getText();
          }
          p.skipChildren();
        }
      }
    } catch (IOException notJson) {
      // fall through to the body itself
    }
    return body.length() > 300 ? body.substring(0, 300) + "…" : body.strip();
  }

  /** {@code {m1,m2,tenant=~"a|b"}}; {@code tenants} null: no tenant matcher. */
  static String selector(List<Matcher> matchers, Set<String> tenants) {
    StringBuilder b = new StringBuilder("{");
    for (Matcher m : matchers) {
      b.append(b.length() > 1 ? "," : "").append(m.promql());
    }
    if (tenants != null) {
      StringBuilder alt = new StringBuilder();
      for (String t : new TreeSet<>(tenants)) {
        alt.append(alt.isEmpty() ? "" : "|").append(quoteRegex(t));
      }
      b.append(b.length() > 1 ? "," : "")
          .append(Matcher.of("tenant", Matcher.Op.RE, alt.toString()).promql());
    }
    return b.append("}").toString();
  }

  /** {@code s} as a regex that matches exactly it. */
  private static String quoteRegex(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        b.append('\\');
      }
      b.append(c);
    }
    return b.toString();
  }

  /** Milliseconds as the API's seconds: {@code 1700000000.123}. */
  static String seconds(long millis) {
    long s = Math.floorDiv(millis, 1000);
    long ms = Math.floorMod(millis, 1000);
    return s + "." + (ms < 10 ? "00" : ms < 100 ? "0" : "") + ms;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The series of a {@code matrix} answer, their samples in [{@code from}, {@code to}]. */
  static List<SeriesSource.Stored> matrix(byte[] body, long from, long to) {
    List<SeriesSource.Stored> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(body)) {
      if (!toField(p, "data") || !toField(p, "result")) {
        throw new IllegalStateException("remote storage answered without data.result");
      }
      at(p, JsonToken.START_ARRAY);
      while (p.nextToken() == JsonToken.START_OBJECT) {
        Labels labels = null;
        long[] t = new long[16];
        double[] v = new double[16];
        int n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          p.nextToken();
          switch (field) {
            case "metric" -> labels = labels(p);
            case "values" -> {
              while (p.nextToken() == JsonToken.START_ARRAY) {
                p.nextToken();
                long time = Math.round(p.getDoubleValue() * 1000);
                p.nextToken();
                double value = value(p.getText());
                expect(p, JsonToken.END_ARRAY);
                if (time < from || time > to) {
                  continue;
                }
                if (n == t.length) {
                  t = Arrays.copyOf(t, n * 2);
                  v = Arrays.copyOf(v, n * 2);
                }
                t[n] = time;
                v[n++] = value;
              }
            }
            default -> p.skipChildren();
          }
        }
        if (labels != null && n > 0) {
          out.add(new SeriesSource.Stored(labels, Arrays.copyOf(t, n), Arrays.copyOf(v, n)));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("remote storage answered what is not JSON: " + e, e);
    }
    return out;
  }

  /** The label sets of a {@code /api/v1/series} answer. */
  static List<Labels> labelSets(byte[] body) {
    List<Labels> out = new ArrayList<>();
    try (JsonParser p = JSON.createParser(body)) {
      if (!toField(p, "data")) {
        throw new IllegalStateException("remote storage answered without data");
      }
      at(p, JsonToken.START_ARRAY);
      while (p.nextToken() == JsonToken.START_OBJECT) {
        out.add(labelsFrom(p));
      }
    } catch (IOException e) {
      throw new IllegalStateException("remote storage answered what is not JSON: " + e, e);
    }
    return out;
  }

  private static Labels labels(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IOException("metric is not an object");
    }
    return labelsFrom(p);
  }

  /** An object of label → value, the parser on its START_OBJECT. */
  private static Labels labelsFrom(JsonParser p) throws IOException {
    Map<String, String> m = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      m.put(name, p.getText());
    }
    return Labels.of(m);
  }

  /** A sample value as the API writes it: a number, {@code NaN}, {@code +Inf}, {@code -Inf}. */
  static double value(String s) {
    return switch (s) {
      case "NaN" -> Double.NaN;
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(s);
    };
  }

  /** Moves into the object and on to {@code field}'s value, skipping the others; false: absent. */
  private static boolean toField(JsonParser p, String field) throws IOException {
    if (p.currentToken() == null) {
      p.nextToken();
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      return false;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken t = p.nextToken();
      if (name.equals(field)) {
        return true;
      }
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        p.skipChildren();
      }
    }
    return false;
  }

  private static void at(JsonParser p, JsonToken token) throws IOException {
    if (p.currentToken() != token) {
      throw new IOException("expected " + token + ", found " + p.currentToken());
    }
  }

  private static void expect(JsonParser p, JsonToken token) throws IOException {
    if (p.nextToken() != token) {
      throw new IOException("expected " + token + ", found " + p.currentToken());
    }
  }
}
