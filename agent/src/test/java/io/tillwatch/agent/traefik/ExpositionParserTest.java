package io.tillwatch.agent.traefik;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExpositionParserTest {
  static String fixture(String name) throws Exception {
    try (InputStream in =
        ExpositionParserTest.class.getResourceAsStream("/fixtures/traefik/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static ParsedSample find(List<ParsedSample> s, String name, String label, String value) {
    return s.stream()
        .filter(x -> x.name().equals(name) && value.equals(x.labels().get(label)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " with " + label + "=" + value));
  }

  @Test
  void traefikV3TextFormat() throws Exception {
    String body = fixture("traefik-v3.txt");
    List<ParsedSample> s = ExpositionParser.parse(body);
    assertThat(s)
        .hasSize((int) body.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count());
    ParsedSample bucket = s.get(3);
    assertThat(bucket.name()).isEqualTo("traefik_service_request_duration_seconds_bucket");
    assertThat(bucket.family()).isEqualTo("traefik_service_request_duration_seconds");
    assertThat(bucket.type()).isEqualTo("histogram");
    assertThat(bucket.labels().get("le")).isEqualTo("0.1");
    assertThat(bucket.value()).isEqualTo(5210);
    assertThat(bucket.help()).startsWith("How long it took");
    ParsedSample withTimestamp = find(s, "traefik_service_requests_total", "code", "502");
    assertThat(withTimestamp.value()).isEqualTo(12);
    assertThat(withTimestamp.type()).isEqualTo("counter");
    ParsedSample odd = find(s, "traefik_odd_values", "service", "odoo-acme@kubernetes");
    assertThat(odd.labels().get("path")).isEqualTo("C:\\shop\\\"new\"\nline");
    assertThat(odd.value()).isNaN();
    assertThat(find(s, "traefik_odd_values", "path", "minus").value())
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(find(s, "traefik_tls_certs_not_after", "cn", "shop.acme.example").value())
        .isEqualTo(1.8e9);
  }

  @Test
  void openMetricsWithUnitCreatedExemplarsAndEof() throws Exception {
    List<ParsedSample> s = ExpositionParser.parse(fixture("traefik-v2-openmetrics.txt"));
    ParsedSample total = find(s, "traefik_service_requests_total", "service", "odoo-acme@docker");
    assertThat(total.family()).isEqualTo("traefik_service_requests");
    assertThat(total.type()).isEqualTo("counter");
    assertThat(find(s, "traefik_service_requests_created", "service", "odoo-acme@docker").family())
        .isEqualTo("traefik_service_requests");
    ParsedSample exemplarLine =
        find(s, "traefik_service_request_duration_seconds_bucket", "le", "0.1");
    assertThat(exemplarLine.value()).isEqualTo(40);
    assertThat(exemplarLine.labels().size()).isEqualTo(5);
    assertThat(find(s, "traefik_service_requests_total", "service", "other@docker").value())
        .isEqualTo(9);
  }

  @Test
  void errorsNameTheLine() {
    assertThatThrownBy(() -> ExpositionParser.parse("a 1\nb{x=\"1} 2\n"))
        .isInstanceOf(ExpositionParseException.class)
        .hasMessageStartingWith("line 2: unterminated value of label x");
    assertThatThrownBy(() -> ExpositionParser.parse("# TYPE a gauge\na one\n"))
        .hasMessage("line 2: invalid value 'one'");
    assertThatThrownBy(() -> ExpositionParser.parse("# TYPE a sometimes\n"))
        .hasMessageContaining("line 1: unknown metric type");
    assertThatThrownBy(() -> ExpositionParser.parse("a{x=\"1\",x=\"2\"} 1\n"))
        .hasMessageContaining("given twice");
    assertThatThrownBy(() -> ExpositionParser.parse("a 1 12 extra\n"))
        .hasMessageContaining("line 1: unexpected");
    assertThatThrownBy(() -> ExpositionParser.parse("a 1\n# EOF\nb 2\n"))
        .hasMessageContaining("line 3: content after # EOF");
    assertThatThrownBy(() -> ExpositionParser.parse("1a 1\n"))
        .hasMessageContaining("expected a metric name");
    assertThatThrownBy(() -> ExpositionParser.parse("a{9=\"1\"} 1\n"))
        .hasMessageContaining("expected a label name");
    assertThatThrownBy(() -> ExpositionParser.parse("a 0x1p3\n"))
        .hasMessageContaining("invalid value");
  }

  @Test
  void blankLinesCommentsCrLfAndTrailingCommas() {
    List<ParsedSample> s =
        ExpositionParser.parse("# just a comment\r\n\r\nx{a=\"1\",} 2\r\ny 3 -5\r\n");
    assertThat(s).extracting(ParsedSample::name).containsExactly("x", "y");
    assertThat(s.get(0).labels().get("a")).isEqualTo("1");
    assertThat(s.get(1).type()).isEqualTo("untyped");
  }

  @Test
  void fuzzedAndTruncatedBodiesParseOrFailCleanly() throws Exception {
    String base = fixture("traefik-v3.txt") + fixture("traefik-v2-openmetrics.txt");
    Random random = new Random(20261122);
    String alphabet = "{}=\",\\ #\n\r\tabcxyz_019.+-eEInfNa";
    int parsed = 0;
    int rejected = 0;
    for (int i = 0; i < 5000; i++) {
      String body;
      if (i % 3 == 0) {
        body = base.substring(0, random.nextInt(base.length()));
      } else {
        StringBuilder b = new StringBuilder(base);
        for (int m = 0; m < 1 + random.nextInt(8); m++) {
          int at = random.nextInt(b.length());
          switch (random.nextInt(3)) {
            case 0 -> b.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
            case 1 -> b.deleteCharAt(at);
            default -> b.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          }
        }
        body = b.toString();
      }
      try {
        ExpositionParser.parse(body);
        parsed++;
      } catch (ExpositionParseException e) {
        assertThat(e.line()).isPositive();
        rejected++;
      }
    }
    assertThat(parsed).isPositive();
    assertThat(rejected).isPositive();
  }
}
