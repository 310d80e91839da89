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
 * invalid_token}. Runs right after the JWT stage, under its name. Synchronous unless it checks
 * OCSP itself (below); thread-safe.
 *
 * <p>The certificate is the one the {@code mtls} stage verified when it ran; otherwise the presented
 * chain, validated against the trust anchors when some are configured. Without trust anchors the
 * TLS handshake's proof of possession of the key is what binds (RFC 8705 §3, self-signed
 * certificates). When OCSP is on and no {@code mtls} stage verified the certificate, its
 * revocation status is checked here with the same outcomes as in that stage.
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
      PathValidator.Verdict verdict = null;
      if (verifier.validates()) {
        verdict = verifier.validate(p.chain());
        if (!verdict.valid()) {
          return invalid("The token is bound to a client certificate that was refused: " + verdict.refusal());
        }
      }
      if (!matches(Certificates.thumbprint(p.chain().get(0)), (String) bound)) {
        return invalid("The token is bound to another client certificate (RFC 8705)");
      }
      if (verdict == null || !verifier.checksRevocation()) {
        return chain.proceed();
      }
      // no mtls stage checked this certificate: its revocation is checked here, as that stage would
      return verifier.revocation(verdict.path(), p.stapled()).thenCompose(outcome -> {
        Decision.Deny denial = MtlsStage.revocationDenial(verifier, chain,
            "The token is bound to a client certificate that was refused: ", outcome);
        return denial != null ? CompletableFuture.completedFuture(denial) : chain.proceed();
      });
    }
    if (!matches(presented, (String) bound)) {
      return invalid("The token is bound to another client certificate (RFC 8705)");
    }
    return chain.proceed();
  }

  private static boolean matches(String thumbprint, String bound) {
    return MessageDigest.isEqual(thumbprint.getBytes(StandardCharsets.US_ASCII), bound.getBytes(StandardCharsets.US_ASCII));
  }

  private static CompletionStage<Decision> invalid(String detail) {
    return CompletableFuture.completedFuture(Decision.deny(DenyReason.INVALID_TOKEN, detail));
  }
}
