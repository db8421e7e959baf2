package io.tillwatch.promql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ParserTest {
  private static String error(String expr) {
    try {
      Parser.parse(expr);
    } catch (PromqlException e) {
      return e.getMessage();
    }
    throw new AssertionError("parsed: " + expr);
  }

  @Test
  void errorsNameLineAndColumn() {
    assertThat(error("sum(rate(x[5m])")).startsWith("1:16: parse error: unexpected end of input");
    assertThat(error("rate(x[5m]) +")).startsWith("1:14: parse error: unexpected end of input");
    assertThat(error("x{a=\"b\" c=\"d\"}"))
        .startsWith("1:9: parse error: unexpected identifier \"c\"");
    assertThat(error("foo(x)")).isEqualTo("1:1: parse error: unknown function with name \"foo\"");
    assertThat(error("rate(x)"))
        .isEqualTo(
            "1:1: parse error: expected type range vector in call to function \"rate\", got instant vector");
    assertThat(error("{a=~\".*\"}"))
        .contains("vector selector must contain at least one non-empty matcher");
    assertThat(error("1 > 2")).contains("comparisons between scalars must use BOOL modifier");
    assertThat(error("x and 1"))
        .contains("set operator \"and\" not allowed in binary scalar expression");
    assertThat(error("sum(x)\n  + on(a) group_left(a) y"))
        .startsWith("2:3: parse error: label \"a\" must not occur in ON and GROUP clause at once");
    assertThat(error("x[5m] offset 1m offset 2m")).contains("offset may not be set multiple times");
  }

  @Test
  void badEscapesAndNumbersArePositionedErrorsAsPromtoolSaysThem() {
    assertThat(error("x{a=\"\\x4\"}"))
        .isEqualTo("1:5: parse error: illegal character U+0022 '\"' in escape sequence");
    assertThat(error("\"\\xZZ\""))
        .isEqualTo("1:1: parse error: illegal character U+005A 'Z' in escape sequence");
    assertThat(error("0xFFFFFFFFFFFFFFFFFF"))
        .isEqualTo(
            "1:1: parse error: error parsing number: strconv.ParseFloat: parsing"
                + " \"0xFFFFFFFFFFFFFFFFFF\": invalid syntax");
    assertThat(error("0x"))
        .isEqualTo(
            "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x\": invalid"
                + " syntax");
    assertThat(((Expr.StringLiteral) Parser.parse("\"\\x41\\u00e9\\U0001F600\"")).value())
        .isEqualTo("A\u00e9\uD83D\uDE00");
  }

  @Test
  void precedenceAndAssociativityAsPrometheus() {
    // ^ is right-associative and binds tighter than unary minus
    Expr e = Parser.parse("-2 ^ 3 ^ 2");
    assertThat(e).isInstanceOf(Expr.Negation.class);
    Expr.Binary pow = (Expr.Binary) ((Expr.Negation) e).expr();
    assertThat(pow.op()).isEqualTo("^");
    assertThat(pow.rhs()).isInstanceOf(Expr.Binary.class);
    // * before +, comparisons after, and/unless before or
    Expr.Binary or = (Expr.Binary) Parser.parse("a + b * c > d and e or f");
    assertThat(or.op()).isEqualTo("or");
    Expr.Binary and = (Expr.Binary) or.lhs();
    assertThat(and.op()).isEqualTo("and");
    Expr.Binary gt = (Expr.Binary) and.lhs();
    assertThat(gt.op()).isEqualTo(">");
    assertThat(((Expr.Binary) gt.lhs()).op()).isEqualTo("+");
    // - is left-associative
    Expr.Binary minus = (Expr.Binary) Parser.parse("a - b - c");
    assertThat(((Expr.Binary) minus.lhs()).op()).isEqualTo("-");
  }

  @Test
  void modifiersAndSubqueries() {
    Expr.Binary b = (Expr.Binary) Parser.parse("x * on(tenant) group_left(tier) tenant_info");
    assertThat(b.on()).isTrue();
    assertThat(b.card()).isEqualTo("many-to-one");
    assertThat(b.include()).containsExactly("tier");
    Expr.Call c = (Expr.Call) Parser.parse("max_over_time(rate(x[1m])[10m:30s] offset 5m)");
    Expr.Subquery sq = (Expr.Subquery) c.args().get(0);
    assertThat(sq.rangeMillis()).isEqualTo(600_000);
    assertThat(sq.stepMillis()).isEqualTo(30_000);
    assertThat(sq.offsetMillis()).isEqualTo(300_000);
    Expr.VectorSelector at = (Expr.VectorSelector) Parser.parse("x @ 1700000000 offset 1h");
    assertThat(at.at()).isEqualTo(1_700_000_000_000L);
    assertThat(at.offsetMillis()).isEqualTo(3_600_000);
    // promtool 2.42 says the same
    assertThatThrownBy(() -> Parser.parse("up{a=~\"(\"}"))
        .hasMessage("1:4: parse error: error parsing regexp: missing closing ): `^(?:()$`");
  }

  @Test
  void matchersWrittenAsPromqlParseBackToThemselves() {
    Expr.VectorSelector s =
        (Expr.VectorSelector)
            Parser.parse("x{a=\"q\\\"uote\", b=~\"x\\\\.y|\\\\n\", c!=\"line\\nbreak\", d!~\"\"}");
    StringBuilder written = new StringBuilder("{");
    for (Matcher m : s.matchers()) {
      written.append(written.length() > 1 ? "," : "").append(m.promql());
    }
    Expr.VectorSelector again = (Expr.VectorSelector) Parser.parse(written.append("}").toString());
    assertThat(again.matchers()).hasSameSizeAs(s.matchers());
    for (int i = 0; i < s.matchers().size(); i++) {
      assertThat(again.matchers().get(i).name()).isEqualTo(s.matchers().get(i).name());
      assertThat(again.matchers().get(i).op()).isEqualTo(s.matchers().get(i).op());
      assertThat(again.matchers().get(i).value()).isEqualTo(s.matchers().get(i).value());
    }
    assertThat(s.matchers().stream().map(Matcher::value))
        .contains("q\"uote", "x\\.y|\\n", "line\nbreak");
  }

  @Test
  void seriesNotationExpandsLikePromtool() {
    assertThat(SeriesNotation.expand("0+10x3")).containsExactly(0.0, 10.0, 20.0, 30.0);
    assertThat(SeriesNotation.expand("5-1x2 _ 1x2"))
        .containsExactly(5.0, 4.0, 3.0, null, 1.0, 1.0, 1.0);
    assertThat(SeriesNotation.expand("_x2 stale")).hasSize(3);
    assertThat(SourceCheck.isStale(SeriesNotation.expand("stale").get(0))).isTrue();
  }

  /** Access to the stale check for the notation test. */
  private static final class SourceCheck {
    static boolean isStale(double v) {
      return SeriesSource.isStale(v);
    }
  }
}
