package io.tillwatch.collector;

import io.tillwatch.collector.config.TokenGrant;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/** Bearer tokens to grants; tokens are compared in constant time and never logged. */
public final class Access {
  // replaced whole by a reload
  private volatile List<TokenGrant> grants;

  public Access(List<TokenGrant> grants) {
    this.grants = List.copyOf(grants);
  }

  /** Grants {@code next} from now on (a reload): a token no longer listed is refused. */
  public void replace(List<TokenGrant> next) {
    this.grants = List.copyOf(next);
  }

  /** The grant of an {@code Authorization} header's bearer token, if the token is known. */
  public Optional<TokenGrant> authorize(String authorizationHeader) {
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] offered = authorizationHeader.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    TokenGrant found = null;
    List<TokenGrant> grants = this.grants;
    for (TokenGrant g : grants) { // no early exit: the time taken does not tell which one matched
      if (MessageDigest.isEqual(offered, g.token().reveal().getBytes(StandardCharsets.UTF_8))) {
        found = g;
      }
    }
    return Optional.ofNullable(found);
  }
}
