package io.tillwatch.config;

import java.net.BindException;
import java.util.Optional;

/**
 * A problem with the environment a component starts in (storage unreachable, a port in use, an
 * extension that cannot load), said in one line that names the setting to fix. The command line
 * prints the message alone and exits 2; the cause is for debugging.
 */
public final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String setting;
  private final String problem;

  /**
   * @param setting the setting to look at, e.g. {@code storage.url}
   * @param problem what is wrong and what to do, one line
   */
  public StartupException(String setting, String problem, Throwable cause) {
    super(problem + " (setting: " + setting + ")", cause);
    this.setting = setting;
    this.problem = problem;
  }

  public StartupException(String setting, String problem) {
    this(setting, problem, null);
  }

  /** The setting that the message names. */
  public String setting() {
    return setting;
  }

  /** The same problem, where another setting (e.g. a command-line option) is the one to fix. */
  public StartupException withSetting(String other) {
    return new StartupException(other, problem, getCause());
  }

  /**
   * The startup problem when {@code e} (or one of its causes) is a port already in use: the message
   * names {@code where} and the {@code setting}.
   */
  public static Optional<StartupException> portInUse(Throwable e, String where, String setting) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return Optional.of(
            new StartupException(
                setting,
                "cannot listen on "
                    + where
                    + ": the address is already in use (another process holds the port;"
                    + " stop it or choose another port)",
                e));
      }
    }
    return Optional.empty();
  }
}
