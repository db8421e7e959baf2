package io.tillwatch.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${NAME}} from the environment in any value, and {@code file:/path} in secret
 * values (the file's content, trailing newline removed). Resolved values are never logged.
 */
public final class Interpolation {
  private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

  private final Function<String, String> env;
  private final FileReader files;

  /**
   * @param env the environment, e.g. {@code System::getenv}
   * @param files reads the configuration files and {@code file:} secrets, e.g. {@code
   *     Files::readString}
   */
  public Interpolation(Function<String, String> env, FileReader files) {
    this.env = env;
    this.files = files;
  }

  /** No environment: {@code ${NAME}} is an error (rule files, test files). */
  public static Interpolation withoutEnvironment(FileReader files) {
    return new Interpolation(name -> null, files);
  }

  /** What reads the files that configuration names. */
  public FileReader files() {
    return files;
  }

  /**
   * {@code text} with every {@code ${NAME}} replaced.
   *
   * @throws IllegalArgumentException naming the first unset variable
   */
  public String expand(String text) {
    Matcher m = VAR.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.apply(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException("environment variable " + m.group(1) + " is not set");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * A secret: {@code file:/path} reads the file, anything else is {@link #expand expanded};
   * surrounding white space (a trailing CR LF) is never part of it.
   */
  public String secret(String text) {
    if (text.startsWith("file:")) {
      Path path = Path.of(expand(text.substring("file:".length())));
      try {
        // a file written on Windows or by echo ends in CR LF or LF: neither is part of a secret
        return files.read(path).strip();
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "cannot read secret file " + path + ": " + e.getMessage(), e);
      }
    }
    return expand(text).strip();
  }
}
