package io.tillwatch.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made by the real openssl in a test's directory: a CA ({@code ca.crt}, {@code
 * ca.key}) and keys with certificates it signs ({@code NAME.crt}, {@code NAME.key}).
 */
public final class Certificates {
  private final Path dir;

  public Certificates(Path dir) {
    this.dir = dir;
  }

  /** Runs openssl in the directory; fails the test with its output when it fails. */
  public void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
  }

  /** {@code ca.crt} and {@code ca.key}: a CA called {@code cn} for {@code days}. */
  public Certificates ca(String cn, int days) throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        String.valueOf(days),
        "-subj",
        "/CN=" + cn);
    return this;
  }

  /**
   * {@code NAME.key} and {@code NAME.crt}, signed by the CA for {@code days}, with these subject
   * alternative names (e.g. {@code DNS:shop.acme.test,IP:127.0.0.1}).
   */
  public Certificates signed(String name, String cn, String altNames, int days) throws Exception {
    openssl(
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + cn);
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=" + altNames + "\n");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        name + ".crt",
        "-days",
        String.valueOf(days),
        "-extfile",
        name + ".ext");
    return this;
  }
}
