package io.apisec.ratelimit;

import io.apisec.Attributes;
import io.apisec.CertificateIdentity;
import io.apisec.Claims;
import io.apisec.Route;
import io.apisec.Stage;
import java.util.List;

/**
 * Resolves a policy's key from what earlier stages verified: the client IP as resolved through
 * trusted proxies, the verified token's claims, the verified certificate. Never from an
 * unverified token. Immutable.
 */
final class RateLimitKey {
  /** The key every request lacking a key part shares under {@code on-missing-key: shared}. */
  static final String SHARED = "\u0000missing";

  private final List<String> parts;

  RateLimitKey(List<String> parts) {
    this.parts = List.copyOf(parts);
  }

  /** The key, or null when a part is absent. */
  String resolve(Stage.Chain chain) {
    if (parts.size() == 1) {
      return part(parts.get(0), chain);
    }
    StringBuilder key = new StringBuilder(64);
    for (String part : parts) {
      String value = part(part, chain);
      if (value == null) {
        return null;
      }
      // length-prefixed, so that no value can forge another composite
      key.append(value.length()).append(':').append(value);
    }
    return key.toString();
  }

  private static String part(String part, Stage.Chain chain) {
    Attributes attributes = chain.attributes();
    switch (part) {
      case "ip": {
        String ip = attributes.getOrNull(Attributes.CLIENT_IP);
        return ip == null || ip.isEmpty() ? null : ip;
      }
      case "route": {
        Route route = attributes.getOrNull(Attributes.ROUTE);
        return route == null ? null : route.name();
      }
      case "jwt.sub": {
        Claims claims = attributes.getOrNull(Attributes.CLAIMS);
        return claims == null ? null : nonEmpty(claims.subject().orElse(null));
      }
      case "jwt.client_id": {
        Claims claims = attributes.getOrNull(Attributes.CLAIMS);
        return claims == null ? null : nonEmpty(claims.clientId().orElse(null));
      }
      case "cert.thumbprint": {
        CertificateIdentity certificate = attributes.getOrNull(Attributes.CERTIFICATE);
        return certificate == null ? null : nonEmpty(certificate.sha256Thumbprint());
      }
      default:
        // header:NAME, checked when the policy was built
        return nonEmpty(chain.request().headers().firstOrNull(part.substring(7)));
    }
  }

  private static String nonEmpty(String value) {
    return value == null || value.isEmpty() ? null : value;
  }
}
