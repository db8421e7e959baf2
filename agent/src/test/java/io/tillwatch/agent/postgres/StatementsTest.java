package io.tillwatch.agent.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StatementsTest {
  @Test
  void literalsGoPlaceholdersStayAndLongTextIsCut() {
    assertThat(Statements.shorten("SELECT * FROM res_partner WHERE id = $1 AND active"))
        .isEqualTo("SELECT * FROM res_partner WHERE id = $1 AND active");
    // utility statements keep their text in pg_stat_statements: their values go
    assertThat(Statements.shorten("ALTER ROLE odoo PASSWORD 'hunter2''s secret'"))
        .isEqualTo("ALTER ROLE odoo PASSWORD ?");
    assertThat(Statements.shorten("SET statement_timeout = 5000;\n  SELECT 1.5, x::float8"))
        .isEqualTo("SET statement_timeout = ?; SELECT ?, x::float8");
    assertThat(Statements.shorten("DO $body$ BEGIN PERFORM 'x'; END $body$")).isEqualTo("DO ?");
    String longer = "SELECT " + "a, ".repeat(200) + "b FROM t";
    assertThat(Statements.shorten(longer)).hasSize(Statements.MAX_TEXT).endsWith("…");
    assertThat(Statements.shorten(null)).isEmpty();
  }
}
