package io.tillwatch.cli;

import io.tillwatch.config.ConfigException;
import io.tillwatch.config.StartupException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tillwatch}: the one command line of the distribution. */
@Command(
    name = "tillwatch",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Tells a retail business, in its own terms, whether its Odoo estate is healthy.",
    subcommands = {
      AgentCommand.class,
      CollectorCommand.class,
      DemoCommand.class,
      EventCommand.class,
      ReportCommand.class,
      RulesCommand.class,
      SloCommand.class,
      TenantCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code of a configuration error. */
  public static final int CONFIG_ERROR = 2;

  static {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n");
    System.setProperty("vertx.disableDnsResolver", "true");
    // reports draw their charts without a display
    System.setProperty("java.awt.headless", "true");
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private static volatile boolean debug;

  /** {@code --log.level}, as Prometheus's tools spell it; on every subcommand. */
  @Option(
      names = "--log.level",
      paramLabel = "LEVEL",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Log level: debug, info (default), warn or error.")
  void logLevel(String level) {
    Level jul =
        switch (level) {
          case "debug" -> Level.FINE;
          case "info" -> Level.INFO;
          case "warn" -> Level.WARNING;
          case "error" -> Level.SEVERE;
          default ->
              throw new CommandLine.ParameterException(
                  spec.commandLine(),
                  "--log.level: '" + level + "' is not one of debug, info, warn, error");
        };
    debug = jul == Level.FINE;
    // debug is tillwatch's own; libraries stay at info
    Logger.getLogger("io.tillwatch").setLevel(jul);
    Logger root = Logger.getLogger("");
    root.setLevel(debug ? Level.INFO : jul);
    for (var h : root.getHandlers()) {
      h.setLevel(jul);
    }
  }

  public static void main(String[] args) {
    Lifecycle.exit(commandLine().execute(args));
  }

  /** The command line with tillwatch's error handling (config errors exit 2). */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              if (e instanceof ConfigException) {
                cmd.getErr().println("tillwatch: configuration error: " + e.getMessage());
                return CONFIG_ERROR;
              }
              if (e instanceof StartupException) {
                // an environment problem: one line naming the setting; the trace on request
                cmd.getErr().println("tillwatch: cannot start: " + e.getMessage());
                if (debug) {
                  e.printStackTrace(cmd.getErr());
                }
                cmd.getErr().flush();
                return CONFIG_ERROR;
              }
              throw e;
            });
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
