package io.tillwatch.promql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Thousands of random and mutated expressions (from the promtool suite's): the parser either parses
 * or throws a {@link PromqlException} with a position, never another exception, and each parse ends
 * quickly.
 */
class ParserFuzzTest {
  private static final Pattern EXPR = Pattern.compile("^\\s*-?\\s*expr: *(.+)$");
  private static final Pattern POSITIONED =
      Pattern.compile("^\\d+:\\d+: parse error: .+", Pattern.DOTALL);
  private static final String[] PIECES = {
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\"",
    "'",
    "`",
    "\\",
    "\\x",
    "\\u",
    "\\x4",
    "\\xZZ",
    "=~",
    "!~",
    "=",
    "!=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "==",
    "!=",
    ">",
    "<",
    ">=",
    "<=",
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "@",
    ":",
    "5m",
    "1d",
    "0x",
    "0xFFFFFFFFFFFFFFFFFF",
    "1e999",
    "-Inf",
    "NaN",
    "Inf",
    "1e-999",
    "99999999999999999999d",
    "9223372036854775807ms",
    "start()",
    "end()",
    "sum",
    "rate",
    "x",
    "__name__",
    "#",
    "\n",
    " ",
    "0.",
    ".5",
    "1_000",
    "°",
    "\uD83D\uDE00",
    "\u0000"
  };

  private static List<String> seeds() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src", "test", "resources", "promtool-suite"))) {
      for (Path f : files.sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          Matcher m = EXPR.matcher(line);
          if (m.matches()) {
            String e = m.group(1).trim();
            if (e.startsWith("'") && e.endsWith("'") || e.startsWith("\"") && e.endsWith("\"")) {
              e = e.substring(1, e.length() - 1);
            }
            out.add(e);
          }
        }
      }
    }
    return out;
  }

  private static String mutate(String s, SplittableRandom r) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + r.nextInt(4);
    for (int k = 0; k < edits; k++) {
      int at = b.isEmpty() ? 0 : r.nextInt(b.length() + 1);
      switch (r.nextInt(5)) {
        case 0 -> {
          if (!b.isEmpty() && at < b.length()) {
            b.deleteCharAt(at);
          }
        }
        case 1 -> b.insert(at, PIECES[r.nextInt(PIECES.length)]);
        case 2 -> b.setLength(Math.min(at, b.length()));
        case 3 -> b.insert(at, b.substring(0, at));
        default -> {
          if (at < b.length()) {
            b.setCharAt(at, (char) (32 + r.nextInt(95)));
          }
        }
      }
    }
    return b.toString();
  }

  private static String random(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(12);
    for (int k = 0; k < n; k++) {
      b.append(PIECES[r.nextInt(PIECES.length)]);
    }
    return b.toString();
  }

  @Test
  @Timeout(120)
  void onlyPositionedPromqlExceptionsAndEveryParseQuick() throws IOException {
    List<String> seeds = seeds();
    assertThat(seeds).hasSizeGreaterThan(50);
    long seed = 20261201L;
    SplittableRandom r = new SplittableRandom(seed);
    List<String> problems = new ArrayList<>();
    int parsed = 0;
    int refused = 0;
    long slowest = 0;
    for (int i = 0; i < 20_000; i++) {
      String expr = i % 4 == 0 ? random(r) : mutate(seeds.get(r.nextInt(seeds.size())), r);
      long start = System.nanoTime();
      try {
        Parser.parse(expr);
        parsed++;
      } catch (PromqlException e) {
        refused++;
        if (e.getMessage() == null || !POSITIONED.matcher(e.getMessage()).matches()) {
          problems.add("no position: " + expr + " -> " + e.getMessage());
        }
      } catch (RuntimeException | StackOverflowError e) {
        problems.add(e.getClass().getSimpleName() + ": " + expr + " -> " + e.getMessage());
      }
      slowest = Math.max(slowest, System.nanoTime() - start);
    }
    System.out.printf(
        "ParserFuzzTest: seed %d, %d parsed, %d refused, slowest parse %.1f ms%n",
        seed, parsed, refused, slowest / 1e6);
    assertThat(problems).isEmpty();
    assertThat(parsed).isPositive();
    assertThat(refused).isPositive();
  }
}
