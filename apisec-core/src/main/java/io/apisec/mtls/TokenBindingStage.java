package io.apisec.mtls;

import io.apisec.Attributes;
import io.apisec.CertificateIdentity;
import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Stage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * RFC 8705 certificate-bound access tokens: when the verified claims carry {@code cnf} with
 * {@code x5t#S256}, the request must present the certificate with that SHA-256 thumbprint —
 * directly over TLS or through a trusted proxy — else the token is refused as {@code
 * invalid_token}. Runs right after the JWT stage, under its name. Synchronous; thread-safe.
 *
 * <p>The certificate is the one the {@code mtls} stage verified when it ran; otherwise the presented
 * chain, validated against the trust anchors when some are configured. Without trust anchors the
 * TLS handshake's proof of possession of the key is what binds (RFC 8705 §3, self-signed
 * certificates).
 */
final class TokenBindingStage implements Stage {
  private static final String THUMBPRINT = "x5t#S256";
  private final CertificateVerifier verifier;

  TokenBindingStage(CertificateVerifier verifier) {
    this.verifier = verifier;
  }

  @Override
  public CompletionStage<Decision> evaluate(Chain chain) {
    Claims claims = chain.attributes().getOrNull(Attributes.CLAIMS);
    if (claims == null || claims.get("cnf").isEmpty()) {
      return chain.proceed();
    }
    Object cnf = claims.get("cnf").get();
    if (!(cnf instanceof Map)) {
      return invalid("The token's cnf claim is not an object");
    }
    Object bound = ((Map<?, ?>) cnf).get(THUMBPRINT);
    if (bound == null) {
      // another confirmation method (such as DPoP's jkt) is not this stage's to check
      return chain.proceed();
    }
    if (!(bound instanceof String) || !((String) bound).matches("[A-Za-z0-9_-]{43}")) {
      return invalid("The token's cnf x5t#S256 is not a base64url SHA-256 thumbprint");
    }
    String presented;
    CertificateIdentity verified = chain.attributes().getOrNull(Attributes.CERTIFICATE);
    if (verified != null) {
      presented = verified.sha256Thumbprint();
    } else {
      CertificateVerifier.Presented p = verifier.presented(chain.request());
      if (p.malformed() != null) {
        return CompletableFuture.completedFuture(Decision.deny(DenyReason.BAD_FORWARDED_CERTIFICATE, p.malformed()));
      }
      if (p.isEmpty()) {
        return invalid("The token is bound to a client certificate (RFC 8705) but none was presented");
      }
      if (verifier.validates()) {
        PathValidator.Verdict verdict = verifier.validate(p.chain());
        if (!verdict.valid()) {
          return invalid("The token is bound to a client certificate that was refused: " + verdict.refusal());
        }
      }
      presented = Certificates.thumbprint(p.chain().get(0));
    }
    if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.US_ASCII),
        ((String) bound).getBytes(StandardCharsets.US_ASCII))) {
      return invalid("The token is bound to another client certificate (RFC 8705)");
    }
    return chain.proceed();
  }

  private static CompletionStage<Decision> invalid(String detail) {
    return CompletableFuture.completedFuture(Decision.deny(DenyReason.INVALID_TOKEN, detail));
  }
}
