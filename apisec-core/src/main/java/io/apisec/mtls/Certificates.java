package io.apisec.mtls;

import io.apisec.CertificateIdentity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CRL;
import java.security.cert.CRLException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/** Reading certificates and turning them into {@link CertificateIdentity} values. Stateless. */
final class Certificates {
  static final int MAX_CHAIN = 10;
  private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
  private static final String END = "-----END CERTIFICATE-----";

  private Certificates() {}

  static CertificateIdentity identity(X509Certificate certificate) {
    List<String> dns = new ArrayList<>();
    List<String> uris = new ArrayList<>();
    List<String> emails = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          Object value = san.get(1);
          if (!(value instanceof String)) {
            continue;
          }
          String text = (String) value;
          switch (type) {
            case 1 -> emails.add(text);
            case 2 -> dns.add(text);
            case 6 -> uris.add(text);
            case 7 -> ips.add(normaliseIp(text));
            default -> { }
          }
        }
      }
    } catch (CertificateParsingException e) {
      // an unreadable SAN extension leaves the identity without SANs; the DN still identifies it
    }
    return new CertificateIdentity(
        certificate.getSubjectX500Principal().getName(),
        certificate.getIssuerX500Principal().getName(),
        certificate.getSerialNumber().toString(16),
        dns, uris, emails, ips, thumbprint(certificate));
  }

  private static String normaliseIp(String text) {
    try {
      return text.indexOf(':') >= 0 ? InetAddress.getByName(text).getHostAddress() : text;
    } catch (IOException e) {
      return text;
    }
  }

  /** The base64url SHA-256 of the DER encoding, without padding (RFC 8705 {@code x5t#S256}). */
  static String thumbprint(X509Certificate certificate) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(certificate.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("certificate cannot be encoded", e);
    }
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One DER certificate, exactly: trailing bytes are refused. */
  static X509Certificate der(byte[] der) throws CertificateException {
    Certificate certificate = factory().generateCertificate(new ByteArrayInputStream(der));
    if (!(certificate instanceof X509Certificate) || certificate.getEncoded().length != der.length) {
      throw new CertificateException("not exactly one X.509 certificate");
    }
    return (X509Certificate) certificate;
  }

  /**
   * Strictly parses PEM text: one or more CERTIFICATE blocks separated only by whitespace, with
   * strict base64 inside. Throws CertificateException when anything else is there.
   */
  static List<X509Certificate> pem(String text) throws CertificateException {
    List<X509Certificate> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (true) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i == n) {
        break;
      }
      if (!text.startsWith(BEGIN, i)) {
        throw new CertificateException("expected " + BEGIN);
      }
      int end = text.indexOf(END, i + BEGIN.length());
      if (end < 0) {
        throw new CertificateException("missing " + END);
      }
      String body = text.substring(i + BEGIN.length(), end);
      StringBuilder base64 = new StringBuilder(body.length());
      for (int k = 0; k < body.length(); k++) {
        char c = body.charAt(k);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          continue;
        }
        base64.append(c);
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new CertificateException("invalid base64 in PEM block");
      }
      out.add(der(der));
      if (out.size() > MAX_CHAIN) {
        throw new CertificateException("more than " + MAX_CHAIN + " certificates");
      }
      i = end + END.length();
    }
    if (out.isEmpty()) {
      throw new CertificateException("no certificate");
    }
    return out;
  }

  static List<X509Certificate> readPemFile(Path file) throws IOException, CertificateException {
    return pem(Files.readString(file, StandardCharsets.US_ASCII));
  }

  /** Reads CRLs from a PEM or DER file. */
  static List<X509CRL> readCrlFile(Path file) throws IOException, CRLException {
    byte[] bytes = Files.readAllBytes(file);
    List<X509CRL> out = new ArrayList<>();
    try {
      for (CRL crl : factory().generateCRLs(new ByteArrayInputStream(bytes))) {
        out.add((X509CRL) crl);
      }
    } catch (CertificateException e) {
      throw new CRLException(e.getMessage());
    }
    if (out.isEmpty()) {
      throw new CRLException("no CRL in " + file);
    }
    return out;
  }

  static CertificateFactory factory() throws CertificateException {
    return CertificateFactory.getInstance("X.509");
  }
}
