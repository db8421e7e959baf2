package io.tillwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Each dashboard type-checked against Grafana's published dashboard schema: the {@code Dashboard}
 * type of the {@code @grafana/schema} npm package, checked with {@code tsc} (strict, excess
 * properties rejected). Enum-typed fields take their string values, as JSON holds them; a query's
 * fields beyond {@code refId} belong to its data source, not to the dashboard schema.
 */
class DashboardSchemaIT {
  private static final Path SCHEMA = Path.of("schema");

  private static final String PRELUDE =
      """
      import type { Dashboard, DataQuery } from '@grafana/schema';
      type Query = { refId: string; [key: string]: unknown };
      type Widen<T> = T extends DataQuery ? Query
        : T extends string ? `${T}`
        : T extends (infer U)[] ? Widen<U>[]
        : T extends object ? { [K in keyof T]: Widen<T[K]> }
        : T;
      """;

  @Test
  void everyDashboardTypeChecksAgainstGrafanasSchema() throws Exception {
    if (!Files.isRegularFile(SCHEMA.resolve("node_modules/typescript/bin/tsc"))) {
      run(List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
    }
    Path generated = Files.createDirectories(SCHEMA.resolve("generated"));
    try (var old = Files.list(generated)) {
      for (Path p : old.toList()) {
        Files.delete(p);
      }
    }
    for (Path f : Dashboards.files()) {
      String name = f.getFileName().toString().replace(".json", "").replace('-', '_');
      Files.writeString(
          generated.resolve(name + ".ts"),
          PRELUDE + "export const " + name + ": Widen<Dashboard> = " + Files.readString(f) + ";\n");
    }
    String out =
        run(List.of("node", "node_modules/typescript/bin/tsc", "-p", "tsconfig.json"), 300);
    assertThat(out).doesNotContain("error");
  }

  private static String run(List<String> command, int seconds) throws Exception {
    Process p =
        new ProcessBuilder(command).directory(SCHEMA.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(seconds, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    return out;
  }
}
