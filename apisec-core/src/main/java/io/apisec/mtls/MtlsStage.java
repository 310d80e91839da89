package io.apisec.mtls;

import io.apisec.Attributes;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Stage;
import io.apisec.config.OcspSettings;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The {@code mtls} stage: verifies the client certificate, applies the route's allow list and
 * hands the identity on as {@link Attributes#CERTIFICATE}. Synchronous unless OCSP is on, when
 * the revocation check completes on the HTTP client's threads (or at once from the cache or a
 * stapled response); it never blocks the calling thread. Thread-safe.
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
    if (!verifier.checksRevocation()) {
      chain.attributes().put(Attributes.CERTIFICATE, verdict.identity());
      return chain.proceed();
    }
    return verifier.revocation(verdict.path(), presented.stapled())
        .thenCompose(outcome -> afterRevocation(chain, presented, verdict, outcome));
  }

  private CompletionStage<Decision> afterRevocation(Chain chain, CertificateVerifier.Presented presented,
      PathValidator.Verdict verdict, OcspRevocation.Outcome outcome) {
    Decision.Deny denial = revocationDenial(verifier, chain, "Client certificate from the " + presented.source()
        + " refused: ", outcome);
    if (denial != null) {
      return deny(denial);
    }
    chain.attributes().put(Attributes.CERTIFICATE, verdict.identity());
    return chain.proceed();
  }

  /**
   * The denial an OCSP outcome makes, or {@code null} when the request may go on (its status then
   * recorded as {@link CertificateVerifier#REVOCATION_STATUS}). Revoked, or an answer that does
   * not verify, is a 401 in both modes. An undetermined status (unknown to the responder, or no
   * answer) is let through in soft-fail; in hard-fail unknown is a 401 (the responder spoke about
   * the certificate) and no answer a 503 with Retry-After (the check failed, not the certificate;
   * a retry may pass).
   */
  static Decision.Deny revocationDenial(CertificateVerifier verifier, Chain chain, String refused,
      OcspRevocation.Outcome outcome) {
    boolean soft = verifier.revocationMode() == OcspSettings.Mode.SOFT_FAIL;
    switch (outcome.status()) {
      case GOOD:
        chain.attributes().put(CertificateVerifier.REVOCATION_STATUS, outcome.stapled() ? "good (stapled)" : "good");
        return null;
      case REVOKED:
        return Decision.deny(DenyReason.INVALID_CERTIFICATE, refused + outcome.detail())
            .withProblemMember("revocation", "revoked");
      case UNTRUSTED:
        return Decision.deny(DenyReason.INVALID_CERTIFICATE,
            refused + "its revocation status could not be established: " + outcome.detail())
            .withProblemMember("revocation", "unverifiable");
      case UNKNOWN:
        if (!soft) {
          return Decision.deny(DenyReason.INVALID_CERTIFICATE, refused + outcome.detail())
              .withProblemMember("revocation", "unknown");
        }
        chain.attributes().put(CertificateVerifier.REVOCATION_STATUS, "soft-fail: " + outcome.detail());
        return null;
      default:
        if (!soft) {
          return Decision.deny(DenyReason.UNAVAILABLE,
              "The revocation status of the client certificate could not be checked: " + outcome.detail())
              .withProblemMember("revocation", "unavailable")
              .withHeader("Retry-After", "1");
        }
        chain.attributes().put(CertificateVerifier.REVOCATION_STATUS, "soft-fail: " + outcome.detail());
        return null;
    }
  }

  private static CompletionStage<Decision> deny(Decision.Deny deny) {
    return CompletableFuture.completedFuture(deny);
  }
}
