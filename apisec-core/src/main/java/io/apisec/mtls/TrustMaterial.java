package io.apisec.mtls;

import io.apisec.config.ConfigException;
import io.apisec.config.MtlsSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One snapshot of the files certificates are verified against: trust anchors, intermediates,
 * CRLs and the trusted OCSP responder certificate. Immutable; a reload builds a new one.
 */
final class TrustMaterial {
  final Set<TrustAnchor> anchors;
  final List<X509Certificate> anchorCertificates;
  final List<X509Certificate> intermediates;
  final List<X509CRL> crls;
  /** The directly trusted OCSP responder certificate, or {@code null}. */
  final X509Certificate ocspResponder;

  private TrustMaterial(List<X509Certificate> anchors, List<X509Certificate> intermediates, List<X509CRL> crls,
      X509Certificate ocspResponder) {
    Set<TrustAnchor> set = new LinkedHashSet<>();
    for (X509Certificate anchor : anchors) {
      set.add(new TrustAnchor(anchor, null));
    }
    this.anchors = Set.copyOf(set);
    this.anchorCertificates = List.copyOf(anchors);
    this.intermediates = List.copyOf(intermediates);
    this.crls = List.copyOf(crls);
    this.ocspResponder = ocspResponder;
  }

  /** Reads every file; throws a ConfigException naming the key and the file when one is unreadable. */
  static TrustMaterial load(MtlsSettings settings) {
    List<X509Certificate> anchors = new ArrayList<>();
    for (Path file : settings.trustAnchors()) {
      anchors.addAll(certificates("mtls.trust-anchors", file));
    }
    List<X509Certificate> intermediates = new ArrayList<>();
    for (Path file : settings.intermediates()) {
      intermediates.addAll(certificates("mtls.intermediates", file));
    }
    List<X509CRL> crls = new ArrayList<>();
    for (Path file : settings.crls()) {
      try {
        crls.addAll(Certificates.readCrlFile(file));
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigException("mtls.crls", "cannot read CRL file " + file + ": " + e.getMessage());
      }
    }
    X509Certificate responder = null;
    if (settings.ocsp().responderCertificate().isPresent()) {
      Path file = settings.ocsp().responderCertificate().get();
      try {
        List<X509Certificate> read = Certificates.readPemFile(file);
        if (read.size() != 1) {
          throw new ConfigException("mtls.ocsp.responder-certificate", "file " + file + " must hold exactly one certificate");
        }
        responder = read.get(0);
      } catch (IOException | GeneralSecurityException e) {
        throw new ConfigException("mtls.ocsp.responder-certificate",
            "cannot read PEM certificates from " + file + ": " + e.getMessage());
      }
    }
    return new TrustMaterial(anchors, intermediates, crls, responder);
  }

  private static List<X509Certificate> certificates(String key, Path file) {
    try {
      List<X509Certificate> certificates = Certificates.readPemFile(file);
      for (X509Certificate certificate : certificates) {
        if (certificate.getBasicConstraints() < 0) {
          throw new ConfigException(key, "file " + file + " holds '"
              + certificate.getSubjectX500Principal().getName() + "', which is not a CA certificate");
        }
      }
      return certificates;
    } catch (IOException | GeneralSecurityException e) {
      throw new ConfigException(key, "cannot read PEM certificates from " + file + ": " + e.getMessage());
    }
  }
}
