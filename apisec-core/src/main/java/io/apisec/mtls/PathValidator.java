package io.apisec.mtls;

import io.apisec.CertificateIdentity;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * PKIX validation of a client chain with the JDK's {@link CertPathBuilder}: a path from the leaf
 * through presented or configured intermediates to a trust anchor, validity with clock skew,
 * basic constraints, the {@code clientAuth} extended key usage, and revocation by the configured
 * CRLs. Each refusal says why in words an operator can act on. Stateless; thread-safe.
 */
final class PathValidator {
  static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  /** The identity and built path (leaf to anchor) of a valid chain, or the reason it was refused. */
  record Verdict(CertificateIdentity identity, List<X509Certificate> path, String refusal) {
    static Verdict refused(String why) {
      return new Verdict(null, List.of(), why);
    }

    boolean valid() {
      return identity != null;
    }
  }

  private PathValidator() {}

  static Verdict validate(TrustMaterial material, List<X509Certificate> chain, Instant now, Duration skew,
      boolean requireClientAuth) {
    if (chain.isEmpty()) {
      return Verdict.refused("no client certificate");
    }
    X509Certificate leaf = chain.get(0);
    String subject = leaf.getSubjectX500Principal().getName();
    if (material.anchors.isEmpty()) {
      return Verdict.refused("no trust anchors are configured (mtls.trust-anchors)");
    }
    if (leaf.getBasicConstraints() >= 0) {
      return Verdict.refused("'" + subject + "' is a CA certificate (basicConstraints CA:true), not a client certificate");
    }
    String validity = validity("certificate '" + subject + "'", leaf, now, skew);
    if (validity != null) {
      return Verdict.refused(validity);
    }
    if (requireClientAuth) {
      List<String> eku;
      try {
        eku = leaf.getExtendedKeyUsage();
      } catch (CertificateParsingException e) {
        return Verdict.refused("'" + subject + "' has an unreadable extended key usage");
      }
      if (eku == null || !eku.contains(CLIENT_AUTH)) {
        return Verdict.refused("'" + subject + "' lacks the clientAuth extended key usage"
            + (eku != null && eku.contains("1.3.6.1.5.5.7.3.1") ? " (it is a serverAuth certificate)" : ""));
      }
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (keyUsage != null && !keyUsage[0]) {
      return Verdict.refused("'" + subject + "' has a key usage without digitalSignature");
    }
    if (leaf.getIssuerX500Principal().equals(leaf.getSubjectX500Principal()) && signedBy(leaf, leaf.getPublicKey())) {
      return Verdict.refused("'" + subject + "' is self-signed, not issued by a trusted CA");
    }
    List<X509Certificate> path;
    try {
      path = build(material, chain, checkInstant(material, chain, now, skew));
    } catch (CertPathBuilderException e) {
      return Verdict.refused(diagnose(material, chain, now, skew));
    } catch (GeneralSecurityException e) {
      return Verdict.refused("the certification path could not be checked");
    }
    String revoked = revocation(material, path, now);
    if (revoked != null) {
      return Verdict.refused(revoked);
    }
    return new Verdict(Certificates.identity(leaf), List.copyOf(path), null);
  }

  /** The built path: leaf, intermediates, and the anchor certificate last. */
  private static List<X509Certificate> build(TrustMaterial material, List<X509Certificate> chain, Instant at)
      throws GeneralSecurityException {
    X509CertSelector target = new X509CertSelector();
    target.setCertificate(chain.get(0));
    PKIXBuilderParameters params = new PKIXBuilderParameters(material.anchors, target);
    // revocation is checked below against the configured CRLs only, never fetched from the network
    params.setRevocationEnabled(false);
    params.setDate(Date.from(at));
    List<X509Certificate> candidates = new ArrayList<>(chain);
    candidates.addAll(material.intermediates);
    params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(candidates)));
    PKIXCertPathBuilderResult result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
    List<X509Certificate> path = new ArrayList<>();
    for (var certificate : result.getCertPath().getCertificates()) {
      path.add((X509Certificate) certificate);
    }
    path.add(result.getTrustAnchor().getTrustedCert());
    return path;
  }

  /**
   * The instant the PKIX check runs at. The JDK checks validity at one instant, with no tolerance;
   * so that it applies the skew too, now is moved into the window every candidate certificate
   * that is valid within the skew shares (each was checked or will be diagnosed against the skew
   * itself), else into the leaf's window. The result stays within the skew of now.
   */
  private static Instant checkInstant(TrustMaterial material, List<X509Certificate> chain, Instant now, Duration skew) {
    Instant lo = Instant.MIN;
    Instant hi = Instant.MAX;
    List<X509Certificate> candidates = new ArrayList<>(chain);
    candidates.addAll(material.intermediates);
    candidates.addAll(material.anchorCertificates);
    for (X509Certificate certificate : candidates) {
      Instant from = certificate.getNotBefore().toInstant();
      Instant to = certificate.getNotAfter().toInstant();
      if (validity("", certificate, now, skew) == null) {
        lo = from.isAfter(lo) ? from : lo;
        hi = to.isBefore(hi) ? to : hi;
      }
    }
    if (lo.isAfter(hi)) {
      X509Certificate leaf = chain.get(0);
      lo = leaf.getNotBefore().toInstant();
      hi = leaf.getNotAfter().toInstant();
    }
    return now.isBefore(lo) ? lo : now.isAfter(hi) ? hi : now;
  }

  private static String validity(String what, X509Certificate certificate, Instant now, Duration skew) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (now.plus(skew).isBefore(notBefore)) {
      return what + " is not valid yet (not before " + notBefore + ")";
    }
    if (now.minus(skew).isAfter(notAfter)) {
      return what + " expired at " + notAfter;
    }
    return null;
  }

  /** Why no path was found: an expired or not-yet-valid issuer, or an issuer nobody trusts. */
  private static String diagnose(TrustMaterial material, List<X509Certificate> chain, Instant now, Duration skew) {
    List<X509Certificate> known = new ArrayList<>(chain.subList(1, chain.size()));
    known.addAll(material.intermediates);
    known.addAll(material.anchorCertificates);
    X509Certificate current = chain.get(0);
    for (int depth = 0; depth < Certificates.MAX_CHAIN; depth++) {
      X509Certificate issuer = null;
      for (X509Certificate candidate : known) {
        if (candidate.getSubjectX500Principal().equals(current.getIssuerX500Principal())
            && signedBy(current, candidate.getPublicKey())) {
          issuer = candidate;
          break;
        }
      }
      if (issuer == null) {
        return "untrusted issuer '" + current.getIssuerX500Principal().getName()
            + "': no path to a configured trust anchor (an intermediate may be missing)";
      }
      String validity = validity("issuing CA '" + issuer.getSubjectX500Principal().getName() + "'", issuer, now, skew);
      if (validity != null) {
        return validity;
      }
      if (issuer.getBasicConstraints() < 0) {
        return "issuer '" + issuer.getSubjectX500Principal().getName() + "' is not a CA (basicConstraints)";
      }
      if (material.anchorCertificates.contains(issuer)) {
        return "the path to trust anchor '" + issuer.getSubjectX500Principal().getName()
            + "' violates its constraints (path length, key usage or validity)";
      }
      if (issuer.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
        return "untrusted issuer '" + issuer.getSubjectX500Principal().getName() + "': a root that is not a configured trust anchor";
      }
      current = issuer;
    }
    return "no path to a configured trust anchor";
  }

  private static boolean signedBy(X509Certificate certificate, PublicKey key) {
    try {
      certificate.verify(key);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** A revoked certificate of the path, by a configured CRL its issuer signed; null when none. */
  private static String revocation(TrustMaterial material, List<X509Certificate> path, Instant now) {
    if (material.crls.isEmpty()) {
      return null;
    }
    for (int i = 0; i + 1 < path.size(); i++) {
      X509Certificate certificate = path.get(i);
      X509Certificate issuer = path.get(i + 1);
      for (X509CRL crl : material.crls) {
        if (!crl.getIssuerX500Principal().equals(certificate.getIssuerX500Principal()) || !crlSignedBy(crl, issuer)) {
          continue;
        }
        X509CRLEntry entry = crl.getRevokedCertificate(certificate);
        if (entry != null && !entry.getRevocationDate().toInstant().isAfter(now)) {
          return "'" + certificate.getSubjectX500Principal().getName() + "' (serial "
              + certificate.getSerialNumber().toString(16) + ") is revoked by its issuer's CRL since "
              + entry.getRevocationDate().toInstant();
        }
      }
    }
    return null;
  }

  private static boolean crlSignedBy(X509CRL crl, X509Certificate issuer) {
    try {
      crl.verify(issuer.getPublicKey());
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
