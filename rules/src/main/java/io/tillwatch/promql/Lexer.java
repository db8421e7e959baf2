package io.tillwatch.promql;

import io.tillwatch.promql.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/** Splits an expression into tokens; comments ({@code # ...}) and white space are skipped. */
final class Lexer {
  private final String in;
  private int pos;
  private int line = 1;
  private int lineStart;
  private final List<Token> out = new ArrayList<>();
  private int bracketDepth; // inside [...], ':' separates a subquery's range and step

  private Lexer(String in) {
    this.in = in;
  }

  static List<Token> lex(String expression) {
    Lexer l = new Lexer(expression);
    l.run();
    return l.out;
  }

  private void run() {
    while (true) {
      skipSpace();
      if (pos >= in.length()) {
        out.add(new Token(Kind.EOF, "", line, pos - lineStart + 1, pos));
        return;
      }
      int start = pos;
      int column = pos - lineStart + 1;
      char c = in.charAt(pos);
      Kind kind;
      if (Character.isDigit(c)
          || (c == '.' && pos + 1 < in.length() && Character.isDigit(in.charAt(pos + 1)))) {
        kind = number();
      } else if (isIdentStart(c) && !(c == ':' && bracketDepth > 0)) {
        while (pos < in.length() && isIdentPart(in.charAt(pos))) {
          pos++;
        }
        kind = Kind.IDENT;
      } else if (c == '"' || c == '\'' || c == '`') {
        string(c, column);
        kind = Kind.STRING;
      } else {
        kind = operator(c, column);
      }
      out.add(new Token(kind, in.substring(start, pos), line, column, start));
    }
  }

  private void skipSpace() {
    while (pos < in.length()) {
      char c = in.charAt(pos);
      if (c == '\n') {
        pos++;
        line++;
        lineStart = pos;
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else if (c == '#') {
        while (pos < in.length() && in.charAt(pos) != '\n') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  /** A number, or a duration when digits run straight into a unit ({@code 5m}, {@code 1h30m}). */
  private Kind number() {
    int start = pos;
    if (in.startsWith("0x", pos) || in.startsWith("0X", pos)) {
      pos += 2;
      while (pos < in.length() && Character.digit(in.charAt(pos), 16) >= 0) {
        pos++;
      }
      return Kind.NUMBER;
    }
    while (pos < in.length() && Character.isDigit(in.charAt(pos))) {
      pos++;
    }
    if (pos < in.length() && isUnitStart(in.charAt(pos)) && !isExponent(pos)) {
      // a duration: (digits unit)+
      while (pos < in.length() && Character.isDigit(in.charAt(pos))) {
        pos++;
      }
      while (pos < in.length()) {
        int unit = unitLength(pos);
        if (unit == 0) {
          break;
        }
        pos += unit;
        int digits = pos;
        while (pos < in.length() && Character.isDigit(in.charAt(pos))) {
          pos++;
        }
        if (pos == digits) {
          break;
        }
        if (unitLength(pos) == 0) {
          throw new PromqlException(
              line
                  + ":"
                  + (start - lineStart + 1)
                  + ": parse error: bad duration \""
                  + in.substring(start, pos)
                  + "\"");
        }
      }
      return Kind.DURATION;
    }
    if (pos < in.length() && in.charAt(pos) == '.') {
      pos++;
      while (pos < in.length() && Character.isDigit(in.charAt(pos))) {
        pos++;
      }
    }
    if (pos < in.length() && (in.charAt(pos) == 'e' || in.charAt(pos) == 'E')) {
      int save = pos;
      pos++;
      if (pos < in.length() && (in.charAt(pos) == '+' || in.charAt(pos) == '-')) {
        pos++;
      }
      int digits = pos;
      while (pos < in.length() && Character.isDigit(in.charAt(pos))) {
        pos++;
      }
      if (pos == digits) {
        pos = save;
      }
    }
    return Kind.NUMBER;
  }

  private boolean isExponent(int at) {
    char c = in.charAt(at);
    return (c == 'e' || c == 'E');
  }

  private static boolean isUnitStart(char c) {
    return c == 'm' || c == 's' || c == 'h' || c == 'd' || c == 'w' || c == 'y';
  }

  private int unitLength(int at) {
    if (at >= in.length()) {
      return 0;
    }
    if (in.startsWith("ms", at)) {
      return 2;
    }
    return isUnitStart(in.charAt(at)) ? 1 : 0;
  }

  private void string(char quote, int column) {
    pos++;
    while (pos < in.length() && in.charAt(pos) != quote) {
      if (in.charAt(pos) == '\\' && quote != '`') {
        pos++;
      }
      if (pos < in.length() && in.charAt(pos) == '\n' && quote != '`') {
        break;
      }
      pos++;
    }
    if (pos >= in.length() || in.charAt(pos) != quote) {
      throw new PromqlException(line + ":" + column + ": parse error: unterminated quoted string");
    }
    pos++;
  }

  private Kind operator(char c, int column) {
    char next = pos + 1 < in.length() ? in.charAt(pos + 1) : 0;
    Kind two =
        switch (c) {
          case '=' -> next == '=' ? Kind.EQLC : next == '~' ? Kind.RE : null;
          case '!' -> next == '=' ? Kind.NEQ : next == '~' ? Kind.NRE : null;
          case '<' -> next == '=' ? Kind.LTE : null;
          case '>' -> next == '=' ? Kind.GTE : null;
          default -> null;
        };
    if (two != null) {
      pos += 2;
      return two;
    }
    Kind one =
        switch (c) {
          case '(' -> Kind.LEFT_PAREN;
          case ')' -> Kind.RIGHT_PAREN;
          case '{' -> Kind.LEFT_BRACE;
          case '}' -> Kind.RIGHT_BRACE;
          case '[' -> {
            bracketDepth++;
            yield Kind.LEFT_BRACKET;
          }
          case ']' -> {
            bracketDepth = Math.max(0, bracketDepth - 1);
            yield Kind.RIGHT_BRACKET;
          }
          case ',' -> Kind.COMMA;
          case ':' -> Kind.COLON;
          case '@' -> Kind.AT;
          case '=' -> Kind.ASSIGN;
          case '<' -> Kind.LSS;
          case '>' -> Kind.GTR;
          case '+' -> Kind.ADD;
          case '-' -> Kind.SUB;
          case '*' -> Kind.MUL;
          case '/' -> Kind.DIV;
          case '%' -> Kind.MOD;
          case '^' -> Kind.POW;
          default -> null;
        };
    if (one == null) {
      throw new PromqlException(
          line + ":" + column + ": parse error: unexpected character: '" + c + "'");
    }
    pos++;
    return one;
  }

  private static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  }

  private static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9');
  }
}
