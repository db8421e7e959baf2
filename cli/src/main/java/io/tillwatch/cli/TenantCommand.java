package io.tillwatch.cli;

import io.tillwatch.agent.config.EstateConfig;
import io.tillwatch.agent.config.EstateConfigLoader;
import io.tillwatch.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tillwatch tenant add}: a tenant file for the agent's tenants_dir, from a template. */
@Command(
    name = "tenant",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Tenant files of the estate's tenants_dir, for onboarding scripts.",
    subcommands = {TenantCommand.Add.class})
final class TenantCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "give a subcommand: add");
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = {
        "Write <tenants_dir>/<id>.yaml from a template: {{key}} in it is replaced by --set"
            + " key=value ({{id}} by --id). The file is checked as the agent checks it before it is"
            + " written, and written whole (a running agent never reads half of it).",
        "Exit 0: written; 2: a value is missing, the result is not a valid tenant, or the file"
            + " exists (without --force)."
      })
  static final class Add implements Callable<Integer> {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_.-]+)\\s*}}");

    @Spec CommandSpec spec;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "The tenant id.")
    String id;

    @Option(
        names = "--template",
        required = true,
        paramLabel = "FILE",
        description = "A tenant file with {{key}} placeholders.")
    Path template;

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "A placeholder's value; may be given many times.")
    List<String> sets = new ArrayList<>();

    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        defaultValue = "estate.yaml",
        description =
            "The estate file whose tenants_dir gets the file (default: ${DEFAULT-VALUE}).")
    Path config;

    @Option(names = "--force", description = "Replace an existing file of the tenant.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      if (!id.matches("[a-z0-9-]+")) {
        throw new ParameterException(
            spec.commandLine(), "--id: '" + id + "' is not a tenant id ([a-z0-9-]+)");
      }
      Map<String, String> values = new LinkedHashMap<>();
      values.put("id", id);
      for (String s : sets) {
        int eq = s.indexOf('=');
        if (eq <= 0) {
          throw new ParameterException(spec.commandLine(), "--set: '" + s + "' is not key=value");
        }
        values.put(s.substring(0, eq).strip(), s.substring(eq + 1));
      }
      if (!Files.isReadable(template)) {
        throw new ParameterException(spec.commandLine(), "--template: cannot read " + template);
      }
      String text = Files.readString(template);
      Matcher m = PLACEHOLDER.matcher(text);
      StringBuilder out = new StringBuilder();
      TreeSet<String> missing = new TreeSet<>();
      while (m.find()) {
        String v = values.get(m.group(1));
        if (v == null) {
          missing.add(m.group(1));
          v = m.group();
        }
        m.appendReplacement(out, Matcher.quoteReplacement(v));
      }
      m.appendTail(out);
      if (!missing.isEmpty()) {
        throw new ParameterException(
            spec.commandLine(),
            "the template needs " + String.join(", ", missing) + ": give --set for each");
      }
      EstateConfigLoader loader = new EstateConfigLoader(Configs.interpolation());
      EstateConfig estate = loader.load(config);
      Path dir =
          estate
              .tenantsDir()
              .orElseThrow(
                  () ->
                      new ParameterException(
                          spec.commandLine(), config + " has no tenants_dir to write into"));
      Path target = dir.resolve(id + ".yaml");
      if (Files.exists(target) && !force) {
        throw new ParameterException(
            spec.commandLine(), target + " exists: give --force to replace it");
      }
      // checked as the agent will read it, next to the others, before the agent can see it
      Path scratch = Files.createTempDirectory("tillwatch-tenant");
      try {
        List<Path> others;
        try (var list = Files.list(dir)) {
          others = list.toList();
        }
        for (Path other : others) {
          if (!other.equals(target) && other.getFileName().toString().matches(".*\\.ya?ml")) {
            Files.copy(other, scratch.resolve(other.getFileName()));
          }
        }
        Path candidate = scratch.resolve(id + ".yaml");
        Files.writeString(candidate, out);
        EstateConfigLoader.TenantFiles files =
            loader.loadTenantFiles(
                new EstateConfig(estate.agent(), estate.tenants(), java.util.Optional.of(scratch)));
        ConfigException problem = files.broken().get(candidate);
        if (problem != null) {
          spec.commandLine()
              .getErr()
              .println(
                  "tillwatch: the tenant file from "
                      + template
                      + " is not valid: "
                      + problem.getMessage().replace(candidate.toString(), target.toString()));
          return Main.CONFIG_ERROR;
        }
        if (!files.valid().containsKey(candidate)) {
          throw new IllegalStateException("the tenant file was not read");
        }
        Path tmp = dir.resolve("." + id + ".yaml.tmp");
        Files.writeString(tmp, out);
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        io.tillwatch.localpg.Processes.deleteTree(scratch);
      }
      spec.commandLine().getOut().printf("wrote %s%n", target);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
