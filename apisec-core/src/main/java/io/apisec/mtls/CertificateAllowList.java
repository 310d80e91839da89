package io.apisec.mtls;

import io.apisec.CertificateIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A route's allowed certificate identities: subject DN patterns with {@code *} wildcards (which
 * never cross an RDN's comma), {@code dns:}, {@code uri:} and {@code email:} SAN values, exact
 * {@code spiffe://} IDs and {@code spiffe://domain/*} trust domains. An empty list allows any
 * verified certificate. Immutable; thread-safe.
 */
final class CertificateAllowList {
  private interface Entry {
    boolean matches(CertificateIdentity identity, Optional<SpiffeId> spiffe);
  }

  private final List<Entry> entries;

  private CertificateAllowList(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Compiles the patterns; throws IllegalArgumentException naming a bad one. */
  static CertificateAllowList of(List<String> patterns) {
    List<Entry> entries = new ArrayList<>();
    for (String raw : patterns) {
      String pattern = raw.trim();
      String lower = pattern.toLowerCase(Locale.ROOT);
      if (lower.startsWith("spiffe://")) {
        if (pattern.endsWith("/*")) {
          String domainOnly = pattern.substring(0, pattern.length() - 2);
          SpiffeId domain = SpiffeId.parse(domainOnly).filter(id -> id.path().isEmpty())
              .orElseThrow(() -> new IllegalArgumentException("not a SPIFFE trust domain pattern: '" + raw + "'"));
          entries.add((identity, spiffe) -> spiffe.isPresent() && spiffe.get().trustDomain().equals(domain.trustDomain()));
        } else {
          SpiffeId id = SpiffeId.parse(pattern)
              .orElseThrow(() -> new IllegalArgumentException("not a SPIFFE ID: '" + raw + "'"));
          entries.add((identity, spiffe) -> spiffe.isPresent() && spiffe.get().equals(id));
        }
      } else if (lower.startsWith("dns:")) {
        String name = value(raw, pattern.substring(4));
        entries.add((identity, spiffe) -> identity.dnsNames().stream().anyMatch(d -> d.equalsIgnoreCase(name)));
      } else if (lower.startsWith("uri:")) {
        String uri = value(raw, pattern.substring(4));
        entries.add((identity, spiffe) -> identity.uris().contains(uri));
      } else if (lower.startsWith("email:")) {
        String email = value(raw, pattern.substring(6));
        entries.add((identity, spiffe) -> identity.emails().stream().anyMatch(e -> e.equalsIgnoreCase(email)));
      } else if (pattern.indexOf('=') > 0) {
        Pattern dn = dnPattern(pattern);
        entries.add((identity, spiffe) -> dn.matcher(normaliseDn(identity.subject())).matches());
      } else {
        throw new IllegalArgumentException("certificate pattern '" + raw
            + "' is neither a subject DN (CN=...), dns:, uri:, email: nor spiffe://");
      }
    }
    return new CertificateAllowList(entries);
  }

  private static String value(String raw, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException("certificate pattern '" + raw + "' has no value");
    }
    return value.trim();
  }

  private static Pattern dnPattern(String pattern) {
    StringBuilder regex = new StringBuilder();
    String normal = normaliseDn(pattern);
    int start = 0;
    for (int i = 0; i < normal.length(); i++) {
      if (normal.charAt(i) == '*') {
        regex.append(Pattern.quote(normal.substring(start, i))).append("[^,]*");
        start = i + 1;
      }
    }
    regex.append(Pattern.quote(normal.substring(start)));
    return Pattern.compile(regex.toString());
  }

  /** Drops spaces around {@code ,} and {@code =} and upper-cases attribute names. */
  static String normaliseDn(String dn) {
    StringBuilder out = new StringBuilder(dn.length());
    for (String part : dn.split("(?<!\\\\),", -1)) {
      if (out.length() > 0) {
        out.append(',');
      }
      int eq = part.indexOf('=');
      if (eq < 0) {
        out.append(part.trim());
        continue;
      }
      out.append(part.substring(0, eq).trim().toUpperCase(Locale.ROOT)).append('=').append(part.substring(eq + 1).trim());
    }
    return out.toString();
  }

  boolean allows(CertificateIdentity identity) {
    if (entries.isEmpty()) {
      return true;
    }
    Optional<SpiffeId> spiffe = SpiffeId.of(identity);
    for (Entry entry : entries) {
      if (entry.matches(identity, spiffe)) {
        return true;
      }
    }
    return false;
  }
}
