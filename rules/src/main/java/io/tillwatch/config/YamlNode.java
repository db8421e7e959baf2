package io.tillwatch.config;

import io.tillwatch.model.Durations;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML node that knows its file, position and field path, so every error it raises names all
 * three. Mappings reject keys they do not know.
 */
public final class YamlNode {
  private final Path file;
  private final String path;
  private final Node node;
  private final Interpolation interpolation;

  private YamlNode(Path file, String path, Node node, Interpolation interpolation) {
    this.file = file;
    this.path = path;
    this.node = node;
    this.interpolation = interpolation;
  }

  /** Parses a file into its root node; syntax errors name their position. */
  public static YamlNode parse(Path file, Interpolation interpolation) {
    String text;
    try {
      text = interpolation.files().read(file);
    } catch (IOException e) {
      throw new ConfigException(file, 1, 1, "", "cannot read the file: " + e.getMessage());
    }
    return parse(file, text, interpolation);
  }

  /**
   * Parses text into its root node; {@code file} names it in errors (a path, or e.g. {@code
   * builtin:tillwatch.yml} for text shipped inside tillwatch).
   */
  public static YamlNode parse(Path file, String text, Interpolation interpolation) {
    LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
    try {
      Optional<Node> root = new Compose(settings).composeString(text);
      if (root.isEmpty()) {
        throw new ConfigException(file, 1, 1, "", "the file is empty");
      }
      return new YamlNode(file, "", root.get(), interpolation);
    } catch (YamlEngineException e) {
      throw syntax(file, e);
    }
  }

  /**
   * Parses text of one or more documents ({@code ---} between them) into their root nodes; the
   * field paths of document {@code n} (from 0) start with {@code [doc n]} after the first.
   */
  public static List<YamlNode> parseAll(Path file, String text, Interpolation interpolation) {
    LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
    try {
      List<YamlNode> out = new ArrayList<>();
      for (Node n : new Compose(settings).composeAllFromString(text)) {
        out.add(
            new YamlNode(file, out.isEmpty() ? "" : "[doc " + out.size() + "]", n, interpolation));
      }
      if (out.isEmpty()) {
        throw new ConfigException(file, 1, 1, "", "the file is empty");
      }
      return out;
    } catch (YamlEngineException e) {
      throw syntax(file, e);
    }
  }

  private static ConfigException syntax(Path file, YamlEngineException e) {
    if (e instanceof MarkedYamlEngineException marked) {
      Mark m = marked.getProblemMark().or(marked::getContextMark).orElse(null);
      return new ConfigException(
          file,
          m == null ? 1 : m.getLine() + 1,
          m == null ? 1 : m.getColumn() + 1,
          "",
          "YAML syntax: " + marked.getProblem());
    }
    return new ConfigException(file, 1, 1, "", "YAML syntax: " + e.getMessage());
  }

  /** The field path, e.g. {@code tenants[0].name}. */
  public String path() {
    return path;
  }

  /** An error at this node. */
  public ConfigException error(String problem) {
    Mark m = node.getStartMark().orElse(null);
    return new ConfigException(
        file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, path, problem);
  }

  /** This node as a mapping whose keys must all be in {@code allowed}. */
  public Mapping mapping(Set<String> allowed) {
    if (!(node instanceof MappingNode map)) {
      throw error("expected a mapping (key: value), got " + describe());
    }
    Map<String, YamlNode> values = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      YamlNode key = new YamlNode(file, path, t.getKeyNode(), interpolation);
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw key.error("keys must be plain words");
      }
      String name = k.getValue();
      YamlNode keyAt = new YamlNode(file, child(name), t.getKeyNode(), interpolation);
      if (!allowed.contains(name)) {
        throw keyAt.error("Unknown property (known: " + String.join(", ", allowed) + ")");
      }
      if (values.containsKey(name)) {
        throw keyAt.error("given twice");
      }
      values.put(name, new YamlNode(file, child(name), t.getValueNode(), interpolation));
    }
    return new Mapping(this, values);
  }

  /** This node as a mapping with any keys (labels, annotations), in file order. */
  public Map<String, YamlNode> entries() {
    if (!(node instanceof MappingNode map)) {
      throw error("expected a mapping (key: value), got " + describe());
    }
    Map<String, YamlNode> values = new LinkedHashMap<>();
    for (NodeTuple t : map.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw new YamlNode(file, path, t.getKeyNode(), interpolation)
            .error("keys must be plain words");
      }
      YamlNode at = new YamlNode(file, child(k.getValue()), t.getKeyNode(), interpolation);
      if (values.containsKey(k.getValue())) {
        throw at.error("given twice");
      }
      values.put(
          k.getValue(), new YamlNode(file, child(k.getValue()), t.getValueNode(), interpolation));
    }
    return values;
  }

  /** The scalar's text as written: no {@code ${ENV}} expansion (rule files, templates). */
  public String raw() {
    return convert(s -> s);
  }

  /** Whether this node is a list. */
  public boolean isList() {
    return node instanceof SequenceNode;
  }

  /** This node as a list. */
  public List<YamlNode> list() {
    if (!(node instanceof SequenceNode seq)) {
      throw error("expected a list, got " + describe());
    }
    List<YamlNode> out = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      out.add(new YamlNode(file, path + "[" + i + "]", seq.getValue().get(i), interpolation));
    }
    return out;
  }

  /** The scalar's text with {@code ${ENV}} expanded. */
  public String string() {
    return convert(interpolation::expand);
  }

  /** A secret: {@code ${ENV}}, {@code file:/path} or literal. */
  public String secret() {
    return convert(interpolation::secret);
  }

  /** A Prometheus duration ({@code 15s}). */
  public Duration duration() {
    return convert(s -> Durations.parse(interpolation.expand(s)));
  }

  /** {@code true} or {@code false}. */
  public boolean bool() {
    return convert(
        s ->
            switch (s) {
              case "true" -> true;
              case "false" -> false;
              default ->
                  throw new IllegalArgumentException("expected true or false, got '" + s + "'");
            });
  }

  /** Converts the scalar; an {@link IllegalArgumentException} becomes an error at this node. */
  public <T> T convert(Function<String, T> conversion) {
    if (!(node instanceof ScalarNode scalar)) {
      throw error("expected a single value, got " + describe());
    }
    try {
      return conversion.apply(scalar.getValue());
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage());
    }
  }

  private String child(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private String describe() {
    return switch (node) {
      case MappingNode m -> "a mapping";
      case SequenceNode s -> "a list";
      case ScalarNode s -> "'" + s.getValue() + "'";
      default -> "something else";
    };
  }

  /** A mapping's known fields. */
  public static final class Mapping {
    private final YamlNode self;
    private final Map<String, YamlNode> values;

    private Mapping(YamlNode self, Map<String, YamlNode> values) {
      this.self = self;
      this.values = values;
    }

    /** A field that must be present. */
    public YamlNode required(String name) {
      YamlNode v = values.get(name);
      if (v == null) {
        throw new ConfigException(
            self.file, line(), column(), self.child(name), "missing (required field)");
      }
      return v;
    }

    /** A field that may be absent. */
    public Optional<YamlNode> optional(String name) {
      return Optional.ofNullable(values.get(name));
    }

    /** The mapping node itself, for errors about the whole entry. */
    public YamlNode node() {
      return self;
    }

    private int line() {
      return self.node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    private int column() {
      return self.node.getStartMark().map(m -> m.getColumn() + 1).orElse(1);
    }
  }
}
