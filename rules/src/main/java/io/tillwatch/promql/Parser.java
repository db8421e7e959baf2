package io.tillwatch.promql;

import io.tillwatch.model.Durations;
import io.tillwatch.promql.Expr.ValueType;
import io.tillwatch.promql.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * PromQL's grammar with Prometheus's precedence (lowest first: {@code or}; {@code and unless};
 * comparisons; {@code + -}; {@code * / % atan2}; {@code ^}, right-associative; unary minus binds
 * looser than {@code ^}) and its type checks. Errors read {@code "1:14: parse error: ..."}.
 */
public final class Parser {
  static final Set<String> AGGREGATORS =
      Set.of(
          "sum",
          "avg",
          "min",
          "max",
          "count",
          "stddev",
          "stdvar",
          "topk",
          "bottomk",
          "quantile",
          "count_values",
          "group");
  private static final Set<String> PARAM_AGGREGATORS =
      Set.of("topk", "bottomk", "quantile", "count_values");

  private final List<Token> tokens;
  private int i;

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  /** Parses an expression. */
  public static Expr parse(String expression) {
    Parser p = new Parser(Lexer.lex(expression));
    if (p.peek().kind() == Kind.EOF) {
      throw new PromqlException("1:1: parse error: no expression found in input");
    }
    Expr e = p.expr(0);
    if (p.peek().kind() != Kind.EOF) {
      throw p.unexpected(p.peek());
    }
    return e;
  }

  private Token peek() {
    return tokens.get(i);
  }

  private Token peek(int ahead) {
    return tokens.get(Math.min(i + ahead, tokens.size() - 1));
  }

  private Token next() {
    return tokens.get(i++);
  }

  private Token expect(Kind kind, String what) {
    Token t = next();
    if (t.kind() != kind) {
      throw error(t, "unexpected " + t.describe() + ", expected " + what);
    }
    return t;
  }

  private PromqlException unexpected(Token t) {
    return error(t, "unexpected " + t.describe());
  }

  private static PromqlException error(Token t, String message) {
    return new PromqlException(t.position() + ": parse error: " + message);
  }

  /** The precedence of a binary operator token, or -1. */
  private static int precedence(Token t) {
    return switch (t.kind()) {
      case POW -> 6;
      case MUL, DIV, MOD -> 5;
      case ADD, SUB -> 4;
      case EQLC, NEQ, LTE, LSS, GTE, GTR -> 3;
      case IDENT ->
          switch (t.text().toLowerCase(Locale.ROOT)) {
            case "atan2" -> 5;
            case "and", "unless" -> 2;
            case "or" -> 1;
            default -> -1;
          };
      default -> -1;
    };
  }

  private Expr expr(int minPrecedence) {
    Expr lhs = unary();
    while (true) {
      Token op = peek();
      int prec = precedence(op);
      if (prec < 0 || prec < minPrecedence) {
        return lhs;
      }
      next();
      String opText = op.kind() == Kind.IDENT ? op.text().toLowerCase(Locale.ROOT) : op.text();
      boolean comparison = prec == 3;
      boolean setOp = prec == 1 || prec == 2;
      boolean returnBool = false;
      if (peek().kind() == Kind.IDENT && peek().text().equalsIgnoreCase("bool")) {
        if (!comparison) {
          throw error(peek(), "bool modifier can only be used on comparison operators");
        }
        next();
        returnBool = true;
      }
      boolean on = false;
      List<String> matching = List.of();
      String card = setOp ? "many-to-many" : "one-to-one";
      List<String> include = List.of();
      boolean haveMatching = false;
      if (peek().kind() == Kind.IDENT
          && (peek().text().equalsIgnoreCase("on") || peek().text().equalsIgnoreCase("ignoring"))) {
        on = next().text().equalsIgnoreCase("on");
        matching = labelList();
        haveMatching = true;
        if (peek().kind() == Kind.IDENT
            && (peek().text().equalsIgnoreCase("group_left")
                || peek().text().equalsIgnoreCase("group_right"))) {
          Token g = next();
          if (setOp) {
            throw error(g, "no grouping allowed for \"" + opText + "\" operation");
          }
          card = g.text().equalsIgnoreCase("group_left") ? "many-to-one" : "one-to-many";
          include = peek().kind() == Kind.LEFT_PAREN ? labelList() : List.of();
        }
      }
      // ^ is right-associative: its right side may hold another ^
      Expr rhs = expr(op.kind() == Kind.POW ? prec : prec + 1);
      lhs = binary(op, opText, lhs, rhs, on, matching, card, include, returnBool, haveMatching);
    }
  }

  private Expr binary(
      Token op,
      String opText,
      Expr lhs,
      Expr rhs,
      boolean on,
      List<String> matching,
      String card,
      List<String> include,
      boolean returnBool,
      boolean haveMatching) {
    for (Expr side : List.of(lhs, rhs)) {
      if (side.type() == ValueType.STRING || side.type() == ValueType.MATRIX) {
        throw error(op, "binary expression must contain only scalar and instant vector types");
      }
    }
    boolean setOp = opText.equals("and") || opText.equals("or") || opText.equals("unless");
    boolean scalars = lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR;
    if (setOp && (lhs.type() == ValueType.SCALAR || rhs.type() == ValueType.SCALAR)) {
      throw error(op, "set operator \"" + opText + "\" not allowed in binary scalar expression");
    }
    boolean comparison = Set.of("==", "!=", "<", ">", "<=", ">=").contains(opText);
    if (comparison && scalars && !returnBool) {
      throw error(op, "comparisons between scalars must use BOOL modifier");
    }
    if (haveMatching && (lhs.type() != ValueType.VECTOR || rhs.type() != ValueType.VECTOR)) {
      throw error(op, "vector matching only allowed between instant vectors");
    }
    for (String l : include) {
      if (on && matching.contains(l)) {
        throw error(op, "label \"" + l + "\" must not occur in ON and GROUP clause at once");
      }
    }
    return new Expr.Binary(opText, lhs, rhs, on, matching, card, include, returnBool);
  }

  private Expr unary() {
    Token t = peek();
    if (t.kind() == Kind.SUB || t.kind() == Kind.ADD) {
      next();
      Expr operand = expr(6); // binds looser than ^ only
      if (operand.type() != ValueType.SCALAR && operand.type() != ValueType.VECTOR) {
        throw error(
            t, "unary expression only allowed on expressions of type scalar or instant vector");
      }
      if (t.kind() == Kind.ADD) {
        return operand;
      }
      if (operand instanceof Expr.NumberLiteral n) {
        return new Expr.NumberLiteral(-n.value());
      }
      return new Expr.Negation(operand);
    }
    return postfix(primary());
  }

  private Expr postfix(Expr e) {
    while (true) {
      Token t = peek();
      if (t.kind() == Kind.LEFT_BRACKET) {
        next();
        long range = duration(expect(Kind.DURATION, "duration"));
        if (peek().kind() == Kind.COLON) {
          next();
          long step = peek().kind() == Kind.DURATION ? duration(next()) : 0;
          expect(Kind.RIGHT_BRACKET, "\"]\"");
          if (e.type() != ValueType.VECTOR) {
            throw error(t, "subquery is only allowed on instant vector, got " + typeName(e.type()));
          }
          e = new Expr.Subquery(e, range, step, 0, null);
          continue;
        }
        expect(Kind.RIGHT_BRACKET, "\"]\"");
        if (!(e instanceof Expr.VectorSelector vs)) {
          throw error(t, "ranges only allowed for vector selectors");
        }
        if (vs.offsetMillis() != 0 || vs.at() != null) {
          throw error(t, "no offset or @ modifiers allowed before range");
        }
        e = new Expr.MatrixSelector(vs, range);
      } else if (t.kind() == Kind.IDENT && t.text().equalsIgnoreCase("offset")) {
        next();
        boolean negative = false;
        if (peek().kind() == Kind.SUB) {
          next();
          negative = true;
        }
        long offset = duration(expect(Kind.DURATION, "duration"));
        e = withOffset(t, e, negative ? -offset : offset);
      } else if (t.kind() == Kind.AT) {
        next();
        Long at = atTime();
        e = withAt(t, e, at);
      } else {
        return e;
      }
    }
  }

  private Long atTime() {
    Token t = next();
    if (t.kind() == Kind.IDENT
        && (t.text().equals("start") || t.text().equals("end"))
        && peek().kind() == Kind.LEFT_PAREN) {
      next();
      expect(Kind.RIGHT_PAREN, "\")\"");
      return t.text().equals("start") ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    boolean negative = false;
    if (t.kind() == Kind.SUB) {
      negative = true;
      t = next();
    }
    if (t.kind() != Kind.NUMBER) {
      throw error(t, "unexpected " + t.describe() + " in @, expected timestamp");
    }
    double seconds = number(t);
    return Math.round((negative ? -seconds : seconds) * 1000);
  }

  private Expr withOffset(Token at, Expr e, long offset) {
    return switch (e) {
      case Expr.VectorSelector vs -> {
        if (vs.offsetMillis() != 0) {
          throw error(at, "offset may not be set multiple times");
        }
        yield new Expr.VectorSelector(vs.name(), vs.matchers(), offset, vs.at());
      }
      case Expr.MatrixSelector ms -> {
        if (ms.selector().offsetMillis() != 0) {
          throw error(at, "offset may not be set multiple times");
        }
        Expr.VectorSelector vs = ms.selector();
        yield new Expr.MatrixSelector(
            new Expr.VectorSelector(vs.name(), vs.matchers(), offset, vs.at()), ms.rangeMillis());
      }
      case Expr.Subquery sq ->
          new Expr.Subquery(sq.expr(), sq.rangeMillis(), sq.stepMillis(), offset, sq.at());
      default ->
          throw error(
              at,
              "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    };
  }

  private Expr withAt(Token t, Expr e, Long at) {
    return switch (e) {
      case Expr.VectorSelector vs -> {
        if (vs.at() != null) {
          throw error(t, "@ <timestamp> may not be set multiple times");
        }
        yield new Expr.VectorSelector(vs.name(), vs.matchers(), vs.offsetMillis(), at);
      }
      case Expr.MatrixSelector ms -> {
        Expr.VectorSelector vs = ms.selector();
        if (vs.at() != null) {
          throw error(t, "@ <timestamp> may not be set multiple times");
        }
        yield new Expr.MatrixSelector(
            new Expr.VectorSelector(vs.name(), vs.matchers(), vs.offsetMillis(), at),
            ms.rangeMillis());
      }
      case Expr.Subquery sq ->
          new Expr.Subquery(sq.expr(), sq.rangeMillis(), sq.stepMillis(), sq.offsetMillis(), at);
      default ->
          throw error(
              t,
              "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
    };
  }

  private Expr primary() {
    Token t = next();
    switch (t.kind()) {
      case NUMBER -> {
        return new Expr.NumberLiteral(number(t));
      }
      case DURATION -> throw unexpected(t);
      case STRING -> {
        return new Expr.StringLiteral(unquote(t));
      }
      case LEFT_PAREN -> {
        Expr inner = expr(0);
        expect(Kind.RIGHT_PAREN, "\")\"");
        return new Expr.Paren(inner);
      }
      case LEFT_BRACE -> {
        i--;
        return selector(null, t);
      }
      case IDENT -> {
        String word = t.text();
        String lower = word.toLowerCase(Locale.ROOT);
        if (lower.equals("inf") || lower.equals("nan")) {
          return new Expr.NumberLiteral(
              lower.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN);
        }
        if (AGGREGATORS.contains(lower)
            && (peek().kind() == Kind.LEFT_PAREN
                || (peek().kind() == Kind.IDENT
                    && (peek().text().equalsIgnoreCase("by")
                        || peek().text().equalsIgnoreCase("without"))))) {
          return aggregate(t, lower);
        }
        if (peek().kind() == Kind.LEFT_PAREN) {
          return call(t);
        }
        return selector(word, t);
      }
      default -> throw unexpected(t);
    }
  }

  private Expr aggregate(Token t, String op) {
    List<String> grouping = List.of();
    boolean without = false;
    boolean haveGrouping = false;
    if (peek().kind() == Kind.IDENT) {
      without = next().text().equalsIgnoreCase("without");
      grouping = labelList();
      haveGrouping = true;
    }
    expect(Kind.LEFT_PAREN, "\"(\"");
    Expr param = null;
    Expr arg;
    if (PARAM_AGGREGATORS.contains(op)) {
      param = expr(0);
      expect(Kind.COMMA, "\",\"");
    }
    arg = expr(0);
    expect(Kind.RIGHT_PAREN, "\")\"");
    if (!haveGrouping
        && peek().kind() == Kind.IDENT
        && (peek().text().equalsIgnoreCase("by") || peek().text().equalsIgnoreCase("without"))) {
      without = next().text().equalsIgnoreCase("without");
      grouping = labelList();
    }
    if (arg.type() != ValueType.VECTOR) {
      throw error(
          t, "expected type instant vector in aggregation expression, got " + typeName(arg.type()));
    }
    if (param != null) {
      ValueType want = op.equals("count_values") ? ValueType.STRING : ValueType.SCALAR;
      if (param.type() != want) {
        throw error(
            t,
            "expected type "
                + typeName(want)
                + " in aggregation parameter, got "
                + typeName(param.type()));
      }
    }
    return new Expr.Aggregate(op, arg, param, grouping, without);
  }

  private Expr call(Token t) {
    Functions.Function f = Functions.get(t.text());
    if (f == null) {
      throw error(t, "unknown function with name \"" + t.text() + "\"");
    }
    expect(Kind.LEFT_PAREN, "\"(\"");
    List<Expr> args = new ArrayList<>();
    if (peek().kind() != Kind.RIGHT_PAREN) {
      args.add(expr(0));
      while (peek().kind() == Kind.COMMA) {
        next();
        args.add(expr(0));
      }
    }
    expect(Kind.RIGHT_PAREN, "\")\"");
    if (args.size() < f.minArgs() || args.size() > f.args().size()) {
      throw error(
          t,
          "expected "
              + (f.minArgs() == f.args().size()
                  ? Integer.toString(f.minArgs())
                  : "at most " + f.args().size())
              + " argument(s) in call to \""
              + f.name()
              + "\", got "
              + args.size());
    }
    for (int k = 0; k < args.size(); k++) {
      ValueType want = f.args().get(k);
      ValueType got = args.get(k).type();
      if (want != got) {
        throw error(
            t,
            "expected type "
                + typeName(want)
                + " in call to function \""
                + f.name()
                + "\", got "
                + typeName(got));
      }
    }
    return new Expr.Call(f, args);
  }

  private Expr.VectorSelector selector(String name, Token at) {
    List<Matcher> matchers = new ArrayList<>();
    if (name != null) {
      matchers.add(Matcher.of("__name__", Matcher.Op.EQ, name));
    }
    if (peek().kind() == Kind.LEFT_BRACE) {
      next();
      while (peek().kind() != Kind.RIGHT_BRACE) {
        Token label = next();
        if (label.kind() != Kind.IDENT && label.kind() != Kind.STRING) {
          throw error(
              label, "unexpected " + label.describe() + " in label matching, expected label");
        }
        String labelName = label.kind() == Kind.STRING ? unquote(label) : label.text();
        Token op = next();
        Matcher.Op mop =
            switch (op.kind()) {
              case ASSIGN -> Matcher.Op.EQ;
              case NEQ -> Matcher.Op.NEQ;
              case RE -> Matcher.Op.RE;
              case NRE -> Matcher.Op.NRE;
              default ->
                  throw error(
                      op,
                      "unexpected "
                          + op.describe()
                          + " in label matching, expected one of \"=\", \"!=\", \"=~\" or \"!~\"");
            };
        Token value = next();
        if (value.kind() != Kind.STRING) {
          throw error(
              value, "unexpected " + value.describe() + " in label matching, expected string");
        }
        try {
          matchers.add(Matcher.of(labelName, mop, unquote(value)));
        } catch (com.google.re2j.PatternSyntaxException e) {
          // as Prometheus: at the matcher, with RE2's message on the pattern as Prometheus
          // writes it (the dot-all flag is passed as a flag, not as text)
          throw error(label, e.getMessage().replace("`(?s)^(?:", "`^(?:"));
        }
        if (peek().kind() == Kind.COMMA) {
          next();
        } else if (peek().kind() != Kind.RIGHT_BRACE) {
          throw error(
              peek(),
              "unexpected " + peek().describe() + " in label matching, expected \",\" or \"}\"");
        }
      }
      next();
    }
    boolean selective = false;
    for (Matcher m : matchers) {
      if (m.name().equals("__name__") && name != null && m != matchers.get(0)) {
        throw error(
            at, "metric name must not be set twice: \"" + name + "\" or \"" + m.value() + "\"");
      }
      if (!m.matchesEmpty()) {
        selective = true;
      }
    }
    if (!selective) {
      throw error(at, "vector selector must contain at least one non-empty matcher");
    }
    return new Expr.VectorSelector(name, List.copyOf(matchers), 0, null);
  }

  private List<String> labelList() {
    expect(Kind.LEFT_PAREN, "\"(\"");
    List<String> out = new ArrayList<>();
    while (peek().kind() != Kind.RIGHT_PAREN) {
      Token l = next();
      if (l.kind() != Kind.IDENT && l.kind() != Kind.STRING) {
        throw error(l, "unexpected " + l.describe() + " in grouping opts, expected label");
      }
      out.add(l.kind() == Kind.STRING ? unquote(l) : l.text());
      if (peek().kind() == Kind.COMMA) {
        next();
      } else if (peek().kind() != Kind.RIGHT_PAREN) {
        throw error(
            peek(),
            "unexpected " + peek().describe() + " in grouping opts, expected \")\" or \",\"");
      }
    }
    next();
    return List.copyOf(out);
  }

  private static long duration(Token t) {
    try {
      return Durations.parse(t.text()).toMillis();
    } catch (IllegalArgumentException e) {
      throw error(t, "not a valid duration string: \"" + t.text() + "\"");
    }
  }

  private static double number(Token t) {
    String s = t.text();
    try {
      if (s.startsWith("0x") || s.startsWith("0X")) {
        return Long.parseLong(s.substring(2), 16); // Go's ParseInt(s, 0, 64): signed 64 bits
      }
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      throw error(
          t, "error parsing number: strconv.ParseFloat: parsing \"" + s + "\": invalid syntax");
    }
  }

  /** A quoted string's value: Go's escapes in "..." and '...', none in `...`. */
  static String unquote(Token t) {
    String s = t.text();
    char q = s.charAt(0);
    String body = s.substring(1, s.length() - 1);
    if (q == '`') {
      return body;
    }
    StringBuilder b = new StringBuilder(body.length());
    for (int k = 0; k < body.length(); k++) {
      char c = body.charAt(k);
      if (c != '\\' || k + 1 >= body.length()) {
        b.append(c);
        continue;
      }
      char e = body.charAt(++k);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case '\\' -> b.append('\\');
        case '"' -> b.append('"');
        case '\'' -> b.append('\'');
        case 'a' -> b.append('\u0007');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'v' -> b.append('\u000b');
        case 'x' -> {
          b.append((char) hexEscape(t, body, k + 1, 2));
          k += 2;
        }
        case 'u' -> {
          b.append((char) hexEscape(t, body, k + 1, 4));
          k += 4;
        }
        case 'U' -> {
          b.appendCodePoint(hexEscape(t, body, k + 1, 8));
          k += 8;
        }
        default -> b.append('\\').append(e);
      }
    }
    return b.toString();
  }

  /**
   * {@code digits} hex digits of an escape at {@code from}; a positioned error when they are not.
   */
  private static int hexEscape(Token t, String body, int from, int digits) {
    int value = 0;
    for (int i = from; i < from + digits; i++) {
      // past the body comes the closing quote: illegal, as Prometheus's lexer says
      char c = i < body.length() ? body.charAt(i) : t.text().charAt(0);
      int d = Character.digit(c, 16);
      if (d < 0) {
        throw error(
            t, String.format("illegal character U+%04X '%c' in escape sequence", (int) c, c));
      }
      value = value * 16 + d;
    }
    if (!Character.isValidCodePoint(value)) {
      throw error(t, "escape sequence is invalid Unicode code point");
    }
    return value;
  }

  static String typeName(ValueType t) {
    return switch (t) {
      case SCALAR -> "scalar";
      case VECTOR -> "instant vector";
      case MATRIX -> "range vector";
      case STRING -> "string";
    };
  }
}
