package io.apisec;

import java.util.Optional;

/**
 * Who the pipeline verified the caller to be: the client certificate identity, the verified token
 * claims, and the client address as resolved through trusted proxies.
 *
 * @param certificate the verified client certificate identity, when one was presented
 * @param claims the verified token's claims, when a token was verified
 * @param clientIp the client IP address (right-most untrusted forwarded hop, else the peer)
 */
public record Identity(
    Optional<CertificateIdentity> certificate, Optional<Claims> claims, String clientIp) {
  public static final Identity ANONYMOUS = new Identity(Optional.empty(), Optional.empty(), "");

  /**
   * The principal name: the token subject, else the certificate's SPIFFE ID, else its subject DN.
   */
  public Optional<String> principalName() {
    Optional<String> sub = claims.flatMap(Claims::subject);
    if (sub.isPresent()) {
      return sub;
    }
    return certificate.map(c -> c.spiffeId().orElse(c.subject()));
  }
}
