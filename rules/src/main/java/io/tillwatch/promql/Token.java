package io.tillwatch.promql;

/** One token of an expression, with where it starts. */
record Token(Kind kind, String text, int line, int column, int offset) {
  enum Kind {
    IDENT,
    NUMBER,
    DURATION,
    STRING,
    LEFT_PAREN,
    RIGHT_PAREN,
    LEFT_BRACE,
    RIGHT_BRACE,
    LEFT_BRACKET,
    RIGHT_BRACKET,
    COMMA,
    COLON,
    AT,
    ASSIGN, // =
    NEQ, // !=
    RE, // =~
    NRE, // !~
    EQLC, // ==
    LSS,
    GTR,
    LTE,
    GTE,
    ADD,
    SUB,
    MUL,
    DIV,
    MOD,
    POW,
    EOF
  }

  /** {@code line:column}, as Prometheus reports positions. */
  String position() {
    return line + ":" + column;
  }

  /** How an error names this token. */
  String describe() {
    return switch (kind) {
      case EOF -> "end of input";
      case STRING -> "string " + text;
      case NUMBER -> "number \"" + text + "\"";
      case DURATION -> "duration \"" + text + "\"";
      case IDENT -> "identifier \"" + text + "\"";
      default -> "\"" + text + "\"";
    };
  }
}
