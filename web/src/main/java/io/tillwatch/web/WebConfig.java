package io.tillwatch.web;

import io.tillwatch.config.Interpolation;
import io.tillwatch.config.YamlNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A listener's web configuration, in the format of Prometheus's {@code --web.config.file}: {@code
 * tls_server_config} ({@code cert_file}, {@code key_file}, {@code client_ca_file}, {@code
 * client_auth_type}) and {@code basic_auth_users} (user → bcrypt hash).
 *
 * @param tls TLS, when configured
 * @param users basic-auth users and their bcrypt hashes; empty: no basic auth
 */
public record WebConfig(Optional<Tls> tls, Map<String, String> users) {
  /** No TLS, no basic auth. */
  public static final WebConfig NONE = new WebConfig(Optional.empty(), Map.of());

  /**
   * TLS of a listener.
   *
   * @param clientCa the CA client certificates are checked against, when set
   * @param requireClientCert whether a client must present one ({@code RequireAndVerifyClientCert})
   */
  public record Tls(Path cert, Path key, Optional<Path> clientCa, boolean requireClientCert) {}

  private static final Set<String> ROOT =
      Set.of("tls_server_config", "basic_auth_users", "http_server_config");
  private static final Set<String> TLS =
      Set.of(
          "cert_file",
          "key_file",
          "client_ca_file",
          "client_auth_type",
          "min_version",
          "max_version",
          "cipher_suites",
          "curve_preferences",
          "prefer_server_cipher_suites");
  private static final Set<String> CLIENT_AUTH =
      Set.of(
          "NoClientCert",
          "RequestClientCert",
          "RequireAnyClientCert",
          "VerifyClientCertIfGiven",
          "RequireAndVerifyClientCert");

  public WebConfig {
    users = Map.copyOf(users);
  }

  /** Whether requests must carry basic auth. */
  public boolean basicAuth() {
    return !users.isEmpty();
  }

  /**
   * Whether {@code user} with {@code password} is one of {@link #users} (bcrypt, constant time).
   */
  public boolean allows(String user, String password) {
    String hash = users.get(user);
    if (hash == null) {
      return false;
    }
    try {
      return OpenBSDBCrypt.checkPassword(hash, password.toCharArray());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /**
   * Reads a web configuration file; paths in it are relative to it. Errors name the file, line and
   * field.
   */
  public static WebConfig load(Path file) {
    Interpolation in = new Interpolation(System::getenv, Files::readString);
    YamlNode.Mapping root = YamlNode.parse(file, in).mapping(ROOT);
    Path base = file.toAbsolutePath().getParent();
    Optional<Tls> tls =
        root.optional("tls_server_config")
            .map(
                n -> {
                  YamlNode.Mapping m = n.mapping(TLS);
                  String auth =
                      m.optional("client_auth_type")
                          .map(
                              a -> {
                                String v = a.string();
                                if (!CLIENT_AUTH.contains(v)) {
                                  throw a.error("'" + v + "' is not one of " + CLIENT_AUTH);
                                }
                                return v;
                              })
                          .orElse("NoClientCert");
                  Optional<Path> ca = m.optional("client_ca_file").map(c -> readable(c, base));
                  boolean require = auth.equals("RequireAndVerifyClientCert");
                  if (require && ca.isEmpty()) {
                    throw m.node().error("client_auth_type " + auth + " needs client_ca_file");
                  }
                  return new Tls(
                      readable(m.required("cert_file"), base),
                      readable(m.required("key_file"), base),
                      ca,
                      require);
                });
    Map<String, String> users = new LinkedHashMap<>();
    root.optional("basic_auth_users")
        .ifPresent(
            n ->
                n.entries()
                    .forEach(
                        (user, hash) -> {
                          String h = hash.string();
                          if (!h.matches("\\$2[aby]?\\$\\d\\d\\$.{53}")) {
                            throw hash.error(
                                "not a bcrypt hash (htpasswd -nBC 10 \"\" | tr -d ':\\n' makes one)");
                          }
                          users.put(user, h);
                        }));
    return new WebConfig(tls, users);
  }

  private static Path readable(YamlNode node, Path base) {
    Path p = base.resolve(node.string());
    if (!Files.isReadable(p)) {
      throw node.error("cannot read " + p);
    }
    return p;
  }

  /** Reads the file when one is named; {@link #NONE} otherwise. */
  public static WebConfig loadIfSet(Optional<Path> file) {
    return file.map(WebConfig::load).orElse(NONE);
  }
}
