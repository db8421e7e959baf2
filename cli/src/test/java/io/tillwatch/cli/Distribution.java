package io.tillwatch.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The built distribution ({@code target/tillwatch.jar}) started as a process, as a user runs it.
 */
final class Distribution {
  private Distribution() {}

  /**
   * Starts {@code java -jar tillwatch.jar args…} with {@code env} added to this environment, its
   * output and errors together in {@code out}.
   */
  static Process start(Path out, Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-jar");
    cmd.add(Path.of("target", "tillwatch.jar").toAbsolutePath().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().putAll(env);
    return pb.start();
  }
}
