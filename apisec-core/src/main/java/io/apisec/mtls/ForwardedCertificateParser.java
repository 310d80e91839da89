package io.apisec.mtls;

import io.apisec.internal.ForwardedElements;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Strict parsers of the headers in which a TLS-terminating proxy forwards the client certificate:
 * Envoy's {@code X-Forwarded-Client-Cert}, a URL-encoded PEM chain (nginx
 * {@code $ssl_client_escaped_cert}, HAProxy) and RFC 9440 {@code Client-Cert}/{@code
 * Client-Cert-Chain}. Anything outside the grammar is refused, never guessed at. Stateless; never
 * throws: every outcome is a {@link Parsed}.
 */
final class ForwardedCertificateParser {
  private static final Set<String> XFCC_KEYS = Set.of("by", "hash", "cert", "chain", "subject", "uri", "dns");

  private ForwardedCertificateParser() {}

  /**
   * What a header yielded: a chain (leaf first), nothing (the header does not carry a
   * certificate), or a refusal saying what is malformed.
   */
  record Parsed(List<X509Certificate> chain, String malformed) {
    static final Parsed NONE = new Parsed(List.of(), null);

    static Parsed malformed(String why) {
      return new Parsed(List.of(), why);
    }

    boolean isMalformed() {
      return malformed != null;
    }
  }

  /**
   * Envoy XFCC. Several fields and comma-separated elements are allowed (each proxy appends one);
   * every element must parse, and the right-most one — appended by the proxy that talks to us —
   * gives the certificate. Its {@code Hash}, {@code URI} and {@code DNS}, when present, must agree
   * with its {@code Cert}; an element without {@code Cert} yields no certificate.
   */
  static Parsed xfcc(List<String> fields) {
    try {
      if (fields.isEmpty()) {
        return Parsed.NONE;
      }
      List<List<String[]>> elements = ForwardedElements.parse(String.join(",", fields), false);
      if (elements == null) {
        return Parsed.malformed("X-Forwarded-Client-Cert does not follow the key=value;key=value, ... syntax");
      }
      Parsed last = Parsed.NONE;
      for (List<String[]> element : elements) {
        last = xfccElement(element);
        if (last.isMalformed()) {
          return last;
        }
      }
      return last;
    } catch (RuntimeException e) {
      return Parsed.malformed("X-Forwarded-Client-Cert could not be read");
    }
  }

  private static Parsed xfccElement(List<String[]> element) {
    String hash = null;
    String cert = null;
    String chain = null;
    List<String> uris = new ArrayList<>();
    List<String> dns = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (String[] pair : element) {
      String key = pair[0].toLowerCase(Locale.ROOT);
      if (!XFCC_KEYS.contains(key)) {
        return Parsed.malformed("X-Forwarded-Client-Cert has an unknown key '" + printable(pair[0]) + "'");
      }
      if (!key.equals("uri") && !key.equals("dns") && !key.equals("by") && !seen.add(key)) {
        return Parsed.malformed("X-Forwarded-Client-Cert repeats the key '" + pair[0] + "' in one element");
      }
      switch (key) {
        case "hash" -> hash = pair[1];
        case "cert" -> cert = pair[1];
        case "chain" -> chain = pair[1];
        case "uri" -> uris.add(pair[1]);
        case "dns" -> dns.add(pair[1]);
        default -> { }
      }
    }
    if (hash != null && !hash.matches("[0-9a-fA-F]{64}")) {
      return Parsed.malformed("X-Forwarded-Client-Cert Hash is not a hex SHA-256");
    }
    if (cert == null) {
      if (chain != null) {
        return Parsed.malformed("X-Forwarded-Client-Cert has a Chain without a Cert");
      }
      return Parsed.NONE;
    }
    List<X509Certificate> certs;
    try {
      certs = new ArrayList<>(Certificates.pem(urlDecode(cert)));
      if (certs.size() != 1) {
        return Parsed.malformed("X-Forwarded-Client-Cert Cert must hold exactly one certificate");
      }
      if (chain != null) {
        List<X509Certificate> full = Certificates.pem(urlDecode(chain));
        // Envoy's Chain starts with the leaf; accept it with or without
        int from = full.get(0).equals(certs.get(0)) ? 1 : 0;
        certs.addAll(full.subList(from, full.size()));
        if (certs.size() > Certificates.MAX_CHAIN) {
          return Parsed.malformed("X-Forwarded-Client-Cert Chain is too long");
        }
      }
    } catch (CertificateException | IllegalArgumentException e) {
      return Parsed.malformed("X-Forwarded-Client-Cert Cert or Chain is not a URL-encoded PEM certificate");
    }
    X509Certificate leaf = certs.get(0);
    try {
      if (hash != null && !MessageDigest.isEqual(HexFormat.of().parseHex(hash.toLowerCase(Locale.ROOT)),
          Certificates.sha256(leaf.getEncoded()))) {
        return Parsed.malformed("X-Forwarded-Client-Cert Hash does not match its Cert");
      }
    } catch (java.security.cert.CertificateEncodingException e) {
      return Parsed.malformed("X-Forwarded-Client-Cert Cert cannot be encoded");
    }
    var identity = Certificates.identity(leaf);
    for (String uri : uris) {
      if (!identity.uris().contains(uri)) {
        return Parsed.malformed("X-Forwarded-Client-Cert URI does not match its Cert");
      }
    }
    for (String name : dns) {
      if (identity.dnsNames().stream().noneMatch(d -> d.equalsIgnoreCase(name))) {
        return Parsed.malformed("X-Forwarded-Client-Cert DNS does not match its Cert");
      }
    }
    return new Parsed(List.copyOf(certs), null);
  }

  /**
   * A URL-encoded PEM chain, leaf first, in exactly one header field (nginx
   * {@code $ssl_client_escaped_cert}), or one base64 DER certificate (HAProxy {@code ssl_c_der,base64}).
   */
  static Parsed pem(List<String> fields, String headerName) {
    try {
      if (fields.isEmpty()) {
        return Parsed.NONE;
      }
      if (fields.size() > 1) {
        return Parsed.malformed(headerName + " appears more than once");
      }
      String value = fields.get(0).trim();
      if (value.isEmpty()) {
        return Parsed.malformed(headerName + " is empty");
      }
      String decoded = urlDecode(value);
      if (!decoded.startsWith("-----")) {
        // HAProxy's usual %[ssl_c_der,base64]: one DER certificate in strict base64
        if (!decoded.matches("[A-Za-z0-9+/]+={0,2}")) {
          return Parsed.malformed(headerName + " is neither a URL-encoded PEM chain nor a base64 DER certificate");
        }
        return new Parsed(List.of(Certificates.der(java.util.Base64.getDecoder().decode(decoded))), null);
      }
      return new Parsed(Certificates.pem(decoded), null);
    } catch (CertificateException | IllegalArgumentException e) {
      return Parsed.malformed(headerName + " is not a URL-encoded PEM certificate chain");
    } catch (RuntimeException e) {
      return Parsed.malformed(headerName + " could not be read");
    }
  }

  /**
   * RFC 9440: {@code Client-Cert} is one structured-field byte sequence ({@code :base64:}) with the
   * DER leaf; {@code Client-Cert-Chain} a list of byte sequences with the rest of the chain.
   * Parameters are not defined by RFC 9440 and are refused.
   */
  static Parsed rfc9440(List<String> certFields, List<String> chainFields, String certName, String chainName) {
    try {
      if (certFields.isEmpty()) {
        return chainFields.isEmpty() ? Parsed.NONE : Parsed.malformed(chainName + " without " + certName);
      }
      if (certFields.size() > 1) {
        return Parsed.malformed(certName + " appears more than once");
      }
      List<byte[]> leaf = byteSequences(certFields.get(0));
      if (leaf == null || leaf.size() != 1) {
        return Parsed.malformed(certName + " is not one structured-field byte sequence");
      }
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(Certificates.der(leaf.get(0)));
      if (!chainFields.isEmpty()) {
        List<byte[]> rest = byteSequences(String.join(",", chainFields));
        if (rest == null) {
          return Parsed.malformed(chainName + " is not a structured-field list of byte sequences");
        }
        if (rest.size() + 1 > Certificates.MAX_CHAIN) {
          return Parsed.malformed(chainName + " is too long");
        }
        for (byte[] der : rest) {
          chain.add(Certificates.der(der));
        }
      }
      return new Parsed(List.copyOf(chain), null);
    } catch (CertificateException e) {
      return Parsed.malformed(certName + " or " + chainName + " does not hold DER certificates");
    } catch (RuntimeException e) {
      return Parsed.malformed(certName + " could not be read");
    }
  }

  /** An RFC 8941 list of byte sequences without parameters; null when it is anything else. */
  static List<byte[]> byteSequences(String field) {
    List<byte[]> out = new ArrayList<>();
    int i = skip(field, 0, true);
    int n = field.length();
    if (i == n) {
      return null;
    }
    while (true) {
      if (i >= n || field.charAt(i) != ':') {
        return null;
      }
      int end = field.indexOf(':', i + 1);
      if (end < 0) {
        return null;
      }
      String base64 = field.substring(i + 1, end);
      for (int k = 0; k < base64.length(); k++) {
        char c = base64.charAt(k);
        if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=')) {
          return null;
        }
      }
      try {
        out.add(java.util.Base64.getDecoder().decode(base64));
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (out.size() > Certificates.MAX_CHAIN) {
        return null;
      }
      i = skip(field, end + 1, true);
      if (i == n) {
        return out;
      }
      if (field.charAt(i) != ',') {
        return null;
      }
      i = skip(field, i + 1, true);
      if (i == n) {
        return null;
      }
    }
  }

  private static int skip(String s, int i, boolean tabs) {
    while (i < s.length() && (s.charAt(i) == ' ' || tabs && s.charAt(i) == '\t')) {
      i++;
    }
    return i;
  }

  /**
   * Strict percent-decoding to ASCII: {@code %} must be followed by two hex digits, {@code +}
   * stays {@code +} (it is a base64 character, and proxies escape spaces as {@code %20}).
   */
  static String urlDecode(String value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 2 >= value.length() || Character.digit(value.charAt(i + 1), 16) < 0
            || Character.digit(value.charAt(i + 2), 16) < 0) {
          throw new IllegalArgumentException("bad percent-encoding");
        }
        int b = Character.digit(value.charAt(i + 1), 16) * 16 + Character.digit(value.charAt(i + 2), 16);
        if (b >= 0x80) {
          throw new IllegalArgumentException("non-ASCII byte");
        }
        out.write(b);
        i += 2;
      } else if (c < 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("control or non-ASCII character");
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.US_ASCII);
  }

  private static String printable(String s) {
    String cut = s.length() > 32 ? s.substring(0, 32) : s;
    return cut.replaceAll("[^A-Za-z0-9_.-]", "?");
  }
}
