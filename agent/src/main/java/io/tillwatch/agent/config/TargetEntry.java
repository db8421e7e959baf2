package io.tillwatch.agent.config;

import io.tillwatch.config.ConfigException;
import io.tillwatch.config.Interpolation;
import io.tillwatch.config.YamlNode;
import io.tillwatch.model.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One target's entry in the estate file, as a target type reads it: its keys with positions, and
 * the conversions every type shares ({@code ${ENV}}, secrets, durations, paths, URLs, commands).
 * Errors name file, line, column and field.
 */
public final class TargetEntry {
  private final YamlNode.Mapping mapping;
  private final String name;
  private final Interpolation interpolation;
  private final Map<String, YamlNode> references;

  TargetEntry(
      YamlNode.Mapping mapping,
      String name,
      Interpolation interpolation,
      Map<String, YamlNode> references) {
    this.mapping = mapping;
    this.name = name;
    this.interpolation = interpolation;
    this.references = references;
  }

  /** The target's unique name. */
  public String name() {
    return name;
  }

  /** Its own scrape interval, if set. */
  public Optional<Duration> interval() {
    return mapping.optional("interval").map(TargetEntry::positive);
  }

  public YamlNode required(String key) {
    return mapping.required(key);
  }

  public Optional<YamlNode> optional(String key) {
    return mapping.optional(key);
  }

  /** {@code ${NAME}} expanded from the environment. */
  public String expand(String text) {
    return interpolation.expand(text);
  }

  /** The optional {@code password} key ({@code ${ENV}} or {@code file:}); empty when absent. */
  public Secret password() {
    return Secret.of(mapping.optional("password").map(YamlNode::secret).orElse(""));
  }

  /** A PostgreSQL JDBC URL. */
  public String jdbcUrl(String key) {
    return mapping.required(key).convert(s -> requireJdbc(interpolation.expand(s)));
  }

  private static String requireJdbc(String url) {
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "'"
              + url
              + "' is not a PostgreSQL JDBC URL (expected jdbc:postgresql://host:port/database)");
    }
    return url;
  }

  /** An http(s) URL. */
  public URI httpUrl(String key) {
    return mapping.required(key).convert(s -> httpUrlOf(interpolation.expand(s)));
  }

  private static URI httpUrlOf(String text) {
    URI u = URI.create(text);
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new IllegalArgumentException("'" + text + "' is not an http(s) URL");
    }
    return u;
  }

  /** A file path ({@code ${ENV}} expanded). */
  public Path path(YamlNode node) {
    return node.convert(s -> Path.of(interpolation.expand(s)));
  }

  /** A duration longer than zero. */
  public static Duration positive(YamlNode node) {
    Duration d = node.duration();
    if (d.isZero()) {
      throw node.error("must be longer than 0s");
    }
    return d;
  }

  /** A command: a YAML list of words, or one string split at spaces. */
  public List<String> words(YamlNode node) {
    List<String> words;
    try {
      words = node.list().stream().map(YamlNode::string).toList();
    } catch (ConfigException notAList) {
      words = List.of(node.string().trim().split("\\s+"));
    }
    if (words.isEmpty() || words.get(0).isBlank()) {
      throw node.error("the command is empty");
    }
    return words;
  }

  /** Records that this entry names another target; checked once the whole file is read. */
  public void referencesTarget(YamlNode node) {
    references.put(node.string(), node);
  }
}
