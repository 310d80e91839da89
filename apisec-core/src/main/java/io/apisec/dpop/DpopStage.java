package io.apisec.dpop;

import io.apisec.Attributes;
import io.apisec.Claims;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Headers;
import io.apisec.Stage;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * RFC 9449 at a protected resource: runs after the JWT stage (under its name) with the verified
 * claims, and decides by the {@code Authorization} scheme, the token's binding ({@code cnf.jkt})
 * and the mode of the route and the token's issuer. A {@code DPoP} request needs a bound token and
 * exactly one valid proof whose key has the token's thumbprint and whose {@code jti} was not seen
 * before; a bound token sent as {@code Bearer} is refused; a {@code required} mode refuses
 * bearer tokens. Completes synchronously unless the replay cache answers later. Thread-safe.
 */
final class DpopStage implements Stage {
  private final ProofOfPossession owner;
  private final DpopMode routeMode;

  DpopStage(ProofOfPossession owner, DpopMode routeMode) {
    this.owner = owner;
    this.routeMode = routeMode;
  }

  @Override
  public CompletionStage<Decision> evaluate(Chain chain) {
    Claims claims = chain.attributes().getOrNull(Attributes.CLAIMS);
    if (claims == null) {
      return chain.proceed();
    }
    Headers headers = chain.request().headers();
    String authorization = headers.firstOrNull("authorization");
    boolean dpopScheme = isDpopScheme(authorization);
    DpopMode mode = DpopMode.stricter(routeMode, claims.issuer().map(owner::issuerMode).orElse(null));
    String jkt = boundThumbprint(claims);
    if (jkt != null && jkt.isEmpty()) {
      return deny(chain, DenyReason.INVALID_TOKEN, "The token's cnf jkt is not a base64url SHA-256 thumbprint");
    }
    if (!dpopScheme) {
      if (jkt != null) {
        return deny(chain, DenyReason.INVALID_TOKEN,
            "The token is bound to a DPoP key (RFC 9449) and must be sent with the DPoP scheme and a proof");
      }
      if (mode == DpopMode.REQUIRED) {
        return deny(chain, DenyReason.INVALID_TOKEN, "The route requires a DPoP-bound token (RFC 9449)");
      }
      return chain.proceed();
    }
    if (mode == DpopMode.DISABLED) {
      // the route speaks Bearer only, so its challenge stays a Bearer one
      return CompletableFuture.completedFuture(
          Decision.deny(DenyReason.TOKEN_REQUIRED, "The route does not accept DPoP-bound tokens; send a bearer token"));
    }
    List<String> proofs = headers.all("dpop");
    if (proofs.isEmpty()) {
      return deny(chain, DenyReason.INVALID_DPOP_PROOF, "The DPoP scheme needs a DPoP proof header");
    }
    if (proofs.size() > 1) {
      return deny(chain, DenyReason.AMBIGUOUS_DPOP_PROOF, "The request has more than one DPoP header");
    }
    if (jkt == null) {
      return deny(chain, DenyReason.INVALID_TOKEN, "The token sent with the DPoP scheme is not bound to a key (cnf.jkt)");
    }
    String requestUri = owner.requestUri().of(chain.request());
    if (requestUri == null) {
      return deny(chain, DenyReason.INVALID_DPOP_PROOF, "The request's URL cannot be told to check the proof's htu");
    }
    String token = authorization.substring(5).strip();
    Instant now = owner.clock().instant();
    Object checked = owner.verifier().verify(proofs.get(0).strip(), chain.request().method(), requestUri, token, now);
    if (checked instanceof String) {
      return deny(chain, DenyReason.INVALID_DPOP_PROOF, (String) checked);
    }
    ProofVerifier.Verified proof = (ProofVerifier.Verified) checked;
    if (!java.security.MessageDigest.isEqual(proof.thumbprint().getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        jkt.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
      return deny(chain, DenyReason.INVALID_DPOP_PROOF, "The DPoP proof's key is not the one the token is bound to (cnf.jkt)");
    }
    return owner.replayCache().firstUse(replayId(proof), owner.verifier().expiry(proof.iat()))
        .thenCompose(first -> first ? chain.proceed()
            : deny(chain, DenyReason.INVALID_DPOP_PROOF, "The DPoP proof was used before (jti)"));
  }

  /** The thumbprint the token is bound to; null when unbound, empty when the binding is malformed. */
  private static String boundThumbprint(Claims claims) {
    Object cnf = claims.get("cnf").orElse(null);
    if (!(cnf instanceof Map)) {
      return null;
    }
    Object jkt = ((Map<?, ?>) cnf).get("jkt");
    if (jkt == null) {
      return null;
    }
    return jkt instanceof String && ((String) jkt).matches("[A-Za-z0-9_-]{43}") ? (String) jkt : "";
  }

  /** The replay-cache id: a hash of the key and the jti, so no store ever holds client text. */
  static String replayId(ProofVerifier.Verified proof) {
    byte[] input = (proof.thumbprint() + '.' + proof.jti()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(ProofVerifier.sha256(input));
  }

  private CompletionStage<Decision> deny(Chain chain, DenyReason reason, String detail) {
    chain.attributes().put(ProofOfPossession.CHALLENGE, Boolean.TRUE);
    return CompletableFuture.completedFuture(Decision.deny(reason, detail));
  }

  /** Whether the Authorization field uses the DPoP scheme (case-insensitive, RFC 9110 §11.1). */
  static boolean isDpopScheme(String authorization) {
    return authorization != null && authorization.length() > 5 && authorization.regionMatches(true, 0, "DPoP ", 0, 5);
  }
}
