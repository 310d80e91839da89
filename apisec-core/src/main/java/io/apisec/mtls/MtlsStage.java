package io.apisec.mtls;

import io.apisec.Attributes;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Stage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@code mtls} stage: verifies the client certificate, applies the route's allow list and
 * hands the identity on as {@link Attributes#CERTIFICATE}. Synchronous; thread-safe.
 */
final class MtlsStage implements Stage {
  private final CertificateVerifier verifier;
  private final boolean required;
  private final CertificateAllowList allowList;

  MtlsStage(CertificateVerifier verifier, boolean required, CertificateAllowList allowList) {
    this.verifier = verifier;
    this.required = required;
    this.allowList = allowList;
  }

  @Override
  public CompletionStage<Decision> evaluate(Chain chain) {
    CertificateVerifier.Presented presented = verifier.presented(chain.request());
    if (presented.ignoredHeader() != null) {
      chain.attributes().put(CertificateVerifier.IGNORED_FORWARDED_CERTIFICATE, presented.ignoredHeader());
    }
    if (presented.malformed() != null) {
      return deny(Decision.deny(DenyReason.BAD_FORWARDED_CERTIFICATE, presented.malformed()));
    }
    if (presented.isEmpty()) {
      if (!required) {
        return chain.proceed();
      }
      Decision.Deny deny = Decision.deny(DenyReason.CERTIFICATE_REQUIRED, "No client certificate was presented"
          + (presented.ignoredHeader() == null ? ""
              : "; the " + presented.ignoredHeader() + " header was ignored because the peer is not a trusted proxy"));
      return deny(presented.ignoredHeader() == null ? deny
          : deny.withProblemMember("ignoredForwardedCertificate", presented.ignoredHeader()));
    }
    PathValidator.Verdict verdict = verifier.validate(presented.chain());
    if (!verdict.valid()) {
      return deny(Decision.deny(DenyReason.INVALID_CERTIFICATE,
          "Client certificate from the " + presented.source() + " refused: " + verdict.refusal()));
    }
    if (!allowList.allows(verdict.identity())) {
      return deny(Decision.deny(DenyReason.CERTIFICATE_REFUSED,
          "Client certificate '" + verdict.identity().subject() + "' is not allowed on this route"));
    }
    chain.attributes().put(Attributes.CERTIFICATE, verdict.identity());
    return chain.proceed();
  }

  private static CompletionStage<Decision> deny(Decision.Deny deny) {
    return CompletableFuture.completedFuture(deny);
  }
}
