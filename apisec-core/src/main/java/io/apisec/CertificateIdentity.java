package io.apisec;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The verified identity of a client certificate.
 *
 * @param subject the subject distinguished name (RFC 2253)
 * @param issuer the issuer distinguished name (RFC 2253)
 * @param serialNumber the serial number in hexadecimal
 * @param dnsNames DNS subject alternative names
 * @param uris URI subject alternative names (SPIFFE IDs among them)
 * @param emails e-mail subject alternative names
 * @param ipAddresses IP address subject alternative names
 * @param sha256Thumbprint the base64url SHA-256 of the DER certificate (RFC 8705 {@code x5t#S256})
 */
public record CertificateIdentity(
    String subject,
    String issuer,
    String serialNumber,
    List<String> dnsNames,
    List<String> uris,
    List<String> emails,
    List<String> ipAddresses,
    String sha256Thumbprint) {
  public CertificateIdentity {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(sha256Thumbprint, "sha256Thumbprint");
    dnsNames = List.copyOf(dnsNames);
    uris = List.copyOf(uris);
    emails = List.copyOf(emails);
    ipAddresses = List.copyOf(ipAddresses);
  }

  /** The first {@code spiffe://} URI SAN, if any. */
  public Optional<String> spiffeId() {
    return uris.stream().filter(u -> u.startsWith("spiffe://")).findFirst();
  }
}
