package io.tillwatch.promql.script;

import io.tillwatch.model.Durations;
import java.util.ArrayList;
import java.util.List;

/**
 * An engine test script: sections of input series and the answers expressions must give.
 *
 * <pre>
 * # a comment
 * load 1m                                   input, one sample a minute from 0
 *   orders_total{tenant="acme"} 0+6x30      Prometheus's series notation
 * eval at 30m sum(rate(orders_total[5m]))   an instant evaluation
 *   {} 0.1                                  the expected samples, in any order; none: empty
 * eval_error at 1m rate(orders_total)       must not evaluate (a parse or evaluation error)
 * clear                                     a new section: new input
 * </pre>
 *
 * Values compare exactly (NaN equals NaN), as promtool's unit tests do.
 */
public record PromqlScript(String name, List<Section> sections) {
  /** Input series at one step, and the evaluations over them. */
  public record Section(long stepMillis, List<Series> series, List<Eval> evals) {}

  /** One input series: its notation and its values. */
  public record Series(String labels, String values) {}

  /**
   * One evaluation.
   *
   * @param expectError the expression must fail
   * @param expected {@code labels value} lines
   */
  public record Eval(
      int line, long atMillis, String expr, boolean expectError, List<String> expected) {
    public String atText() {
      return Durations.format(java.time.Duration.ofMillis(atMillis));
    }
  }

  /** Parses a script; errors name the line. */
  public static PromqlScript parse(String name, String text) {
    List<Section> sections = new ArrayList<>();
    long step = -1;
    List<Series> series = new ArrayList<>();
    List<Eval> evals = new ArrayList<>();
    Eval current = null;
    boolean loading = false;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String raw = lines[i];
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean indented = Character.isWhitespace(raw.charAt(0));
      if (indented && loading) {
        int brace = line.lastIndexOf('}');
        int split = brace >= 0 ? brace + 1 : line.indexOf(' ');
        series.add(new Series(line.substring(0, split).strip(), line.substring(split).strip()));
        continue;
      }
      if (indented && current != null) {
        current.expected().add(line);
        continue;
      }
      loading = false;
      current = null;
      String[] words = line.split("\\s+", 4);
      switch (words[0]) {
        case "load" -> {
          if (step >= 0) {
            throw new IllegalArgumentException(name + ":" + (i + 1) + ": one load a section");
          }
          step = Durations.parse(words[1]).toMillis();
          loading = true;
        }
        case "clear" -> {
          sections.add(new Section(step, List.copyOf(series), List.copyOf(evals)));
          step = -1;
          series = new ArrayList<>();
          evals = new ArrayList<>();
        }
        case "eval", "eval_error" -> {
          if (words.length < 4 || !words[1].equals("at")) {
            throw new IllegalArgumentException(
                name + ":" + (i + 1) + ": expected 'eval at <time> <expr>'");
          }
          current =
              new Eval(
                  i + 1,
                  Durations.parse(words[2]).toMillis(),
                  words[3],
                  words[0].equals("eval_error"),
                  new ArrayList<>());
          evals.add(current);
        }
        default ->
            throw new IllegalArgumentException(
                name + ":" + (i + 1) + ": unknown command '" + words[0] + "'");
      }
    }
    sections.add(new Section(step, List.copyOf(series), List.copyOf(evals)));
    return new PromqlScript(name, List.copyOf(sections));
  }
}
