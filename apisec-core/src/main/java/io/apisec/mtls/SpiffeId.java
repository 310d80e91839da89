package io.apisec.mtls;

import io.apisec.CertificateIdentity;
import java.util.Optional;

/**
 * A SPIFFE ID ({@code spiffe://trust-domain/path}) split into its trust domain and path, parsed
 * as the SPIFFE ID specification prescribes: a lower-case trust domain, path segments of letters,
 * digits, {@code . - _} with no empty, {@code .} or {@code ..} segment, no query, fragment, port
 * or user info. Immutable.
 *
 * @param trustDomain the trust domain, such as {@code example.org}
 * @param path the path including its leading {@code /}, or empty
 */
public record SpiffeId(String trustDomain, String path) {
  private static final String SCHEME = "spiffe://";
  private static final int MAX_LENGTH = 2048;

  /** Parses {@code uri}; empty when it is not a valid SPIFFE ID. */
  public static Optional<SpiffeId> parse(String uri) {
    if (uri == null || uri.length() > MAX_LENGTH || !uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return Optional.empty();
    }
    String rest = uri.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String domain = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    if (domain.isEmpty()) {
      return Optional.empty();
    }
    for (int i = 0; i < domain.length(); i++) {
      char c = domain.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
        return Optional.empty();
      }
    }
    if (!path.isEmpty()) {
      for (String segment : path.substring(1).split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          return Optional.empty();
        }
        for (int i = 0; i < segment.length(); i++) {
          char c = segment.charAt(i);
          if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')) {
            return Optional.empty();
          }
        }
      }
    }
    return Optional.of(new SpiffeId(domain, path));
  }

  /** The SPIFFE ID of a certificate identity: its first valid {@code spiffe://} URI SAN. */
  public static Optional<SpiffeId> of(CertificateIdentity identity) {
    for (String uri : identity.uris()) {
      Optional<SpiffeId> id = parse(uri);
      if (id.isPresent()) {
        return id;
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return SCHEME + trustDomain + path;
  }
}
