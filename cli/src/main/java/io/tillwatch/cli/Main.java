package io.tillwatch.cli;

import io.tillwatch.config.ConfigException;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;

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
      RulesCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit code of a configuration error. */
  public static final int CONFIG_ERROR = 2;

  static {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$-7s %3$s: %5$s%6$s%n");
    System.setProperty("vertx.disableDnsResolver", "true");
    Logger.getLogger("io.netty").setLevel(Level.WARNING);
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

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
              throw e;
            });
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
