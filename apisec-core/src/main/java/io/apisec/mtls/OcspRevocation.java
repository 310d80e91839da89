package io.apisec.mtls;

import io.apisec.internal.BoundedBody;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.apisec.config.OcspSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateRevokedException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * OCSP (RFC 6960) revocation status of the certificates of a validated path: from a response a
 * trusted proxy stapled, from the cache, or from the responder (the configured URL, else the one
 * the certificate names), asked over the JDK's asynchronous {@link HttpClient}.
 *
 * <p>This class fetches and classifies; the JDK decides. A response is handed to the JDK's own
 * PKIX validator with {@link PKIXRevocationChecker#setOcspResponses} for a one-certificate path
 * whose trust anchor is the certificate's (already validated) issuer, so the JDK checks the
 * signature, that the signer is the issuing CA, a responder it delegated to with {@code
 * id-kp-OCSPSigning} (RFC 6960 §4.2.2.2) or the configured responder certificate, the response's
 * thisUpdate/nextUpdate at the injected clock's time, and the status — and, given the response,
 * opens no connection itself. On top, a response must be fresh within the mTLS clock skew
 * (stricter than the JDK's fixed 15 minutes).
 *
 * <p>Good and revoked answers are cached per issuer and serial until the response's nextUpdate,
 * at most {@code max-age}; an answer without nextUpdate is not cached (RFC 6960 §4.2.2.1: newer
 * information is always available). Unknown answers and failures are not cached; concurrent checks
 * of one certificate share one exchange, which bounds the load on a struggling responder.
 *
 * <p>Thread-safe. Never throws and never completes exceptionally: every failure is an {@link
 * Outcome}. Completions run on the HTTP client's threads, never the caller's.
 */
final class OcspRevocation {
  /** Largest response read; real ones are a few KB. */
  static final int MAX_RESPONSE = 64 * 1024;

  /** What the check found, from worst to best. */
  enum Status {
    /** A certificate of the path is revoked. */
    REVOKED,
    /** A response was malformed, forged, stale, or about another certificate. */
    UNTRUSTED,
    /** The responder does not know the certificate, or none is named. */
    UNKNOWN,
    /** No answer: unreachable, timed out, HTTP error, tryLater and the like. */
    UNAVAILABLE,
    /** Every checked certificate is good. */
    GOOD
  }

  /**
   * The result: the status, what it rests on in words, whether a stapled response was used, and
   * why a stapled response was not used ({@code null} when none was forwarded or it was used).
   */
  record Outcome(Status status, String detail, boolean stapled, String stapleIgnored) {
    static Outcome of(Status status, String detail) {
      return new Outcome(status, detail, false, null);
    }
  }

  /** A verified answer and until when it may be reused. */
  private record Answer(Outcome outcome, Instant expires) {}

  private final OcspSettings settings;
  private final Clock clock;
  private final Duration skew;
  private final HttpClient http;
  private final Cache<String, Answer> cache;
  private final ConcurrentHashMap<String, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

  OcspRevocation(OcspSettings settings, Clock clock, Duration skew) {
    this.settings = settings;
    this.clock = clock;
    this.skew = skew;
    this.http = HttpClient.newBuilder()
        .connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
    this.cache = Caffeine.newBuilder().maximumSize(settings.cacheMaxEntries()).build();
  }

  /**
   * The status of {@code path} (leaf first, trust anchor last): of the leaf, or of every
   * certificate below the anchor. {@code stapled} is the base64 response a trusted proxy forwarded
   * for the leaf, or {@code null}.
   */
  CompletionStage<Outcome> check(List<X509Certificate> path, String stapled, X509Certificate trustedResponder) {
    try {
      int checked = settings.check() == OcspSettings.Check.LEAF ? 1 : path.size() - 1;
      List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
      for (int i = 0; i < checked; i++) {
        outcomes.add(status(path.get(i), path.get(i + 1), i == 0 ? stapled : null, trustedResponder));
      }
      return CompletableFuture.allOf(outcomes.toArray(new CompletableFuture<?>[0])).thenApply(done -> {
        Outcome worst = null;
        String ignored = null;
        boolean stapledUsed = false;
        for (CompletableFuture<Outcome> future : outcomes) {
          Outcome outcome = future.join();
          ignored = ignored == null ? outcome.stapleIgnored() : ignored;
          stapledUsed |= outcome.stapled();
          if (worst == null || outcome.status().compareTo(worst.status()) < 0) {
            worst = outcome;
          }
        }
        return new Outcome(worst.status(), worst.detail(), stapledUsed, ignored);
      });
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(Outcome.of(Status.UNAVAILABLE, "the OCSP check failed"));
    }
  }

  private CompletableFuture<Outcome> status(X509Certificate certificate, X509Certificate issuer, String stapled,
      X509Certificate trustedResponder) {
    OcspMessages.CertId id = OcspMessages.CertId.of(certificate, issuer);
    String key = id.key();
    Answer cached = cache.getIfPresent(key);
    if (cached != null) {
      if (clock.instant().isBefore(cached.expires())) {
        return CompletableFuture.completedFuture(cached.outcome());
      }
      cache.invalidate(key);
    }
    String stapleIgnored = null;
    if (stapled != null) {
      byte[] der = decode(stapled);
      if (der == null) {
        stapleIgnored = "the stapled OCSP response is not base64 of at most " + MAX_RESPONSE + " bytes";
      } else {
        Outcome outcome = verify(certificate, issuer, id, der, trustedResponder);
        if (outcome.status() == Status.GOOD || outcome.status() == Status.REVOKED || outcome.status() == Status.UNKNOWN) {
          return CompletableFuture.completedFuture(
              new Outcome(outcome.status(), outcome.detail() + " (stapled by the proxy)", true, null));
        }
        // an unusable staple is no staple: the responder is asked, never less safe than no staple
        stapleIgnored = outcome.detail();
      }
    }
    String ignored = stapleIgnored;
    CompletableFuture<Outcome> mine = new CompletableFuture<>();
    CompletableFuture<Outcome> shared = inFlight.putIfAbsent(key, mine);
    if (shared == null) {
      shared = mine;
      fetch(certificate, issuer, id, trustedResponder).whenComplete((outcome, error) -> {
        inFlight.remove(key, mine);
        mine.complete(outcome != null ? outcome : Outcome.of(Status.UNAVAILABLE, "the OCSP check failed"));
      });
    }
    return shared.thenApply(outcome -> ignored == null ? outcome
        : new Outcome(outcome.status(), outcome.detail(), outcome.stapled(), ignored));
  }

  private static byte[] decode(String stapled) {
    String text = stapled.trim();
    // RFC 8941 byte-sequence form (:base64:), as RFC 9440 headers carry binary
    if (text.length() >= 2 && text.startsWith(":") && text.endsWith(":")) {
      text = text.substring(1, text.length() - 1);
    }
    if (text.isEmpty() || text.length() > MAX_RESPONSE * 4 / 3 + 4) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private CompletableFuture<Outcome> fetch(X509Certificate certificate, X509Certificate issuer, OcspMessages.CertId id,
      X509Certificate trustedResponder) {
    URI responder = settings.responderUrl().orElse(null);
    if (responder == null) {
      List<URI> named = OcspMessages.responders(certificate);
      if (named.isEmpty()) {
        return CompletableFuture.completedFuture(Outcome.of(Status.UNKNOWN, subject(certificate)
            + " names no OCSP responder and mtls.ocsp.responder-url is not set"));
      }
      responder = named.get(0);
    }
    String where = "OCSP responder " + responder.getScheme() + "://" + responder.getAuthority();
    HttpRequest request = HttpRequest.newBuilder(responder)
        .timeout(settings.timeout())
        .header("Content-Type", "application/ocsp-request")
        .header("Accept", "application/ocsp-response")
        .POST(HttpRequest.BodyPublishers.ofByteArray(OcspMessages.request(id)))
        .build();
    return http.sendAsync(request, OcspRevocation::body)
        // the request timeout covers the response head only; the whole exchange is bounded here
        .orTimeout(settings.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .handle((response, error) -> {
          if (error != null) {
            String why = causedBy(error, TimeoutException.class) || causedBy(error, HttpTimeoutException.class)
                ? "did not answer within " + settings.timeout().toMillis() + " ms"
                : causedBy(error, BoundedBody.TooLarge.class) ? "sent a response larger than " + MAX_RESPONSE + " bytes"
                : "is unreachable";
            return Outcome.of(Status.UNAVAILABLE, where + " " + why);
          }
          if (response.statusCode() != 200 || response.body() == null) {
            return Outcome.of(Status.UNAVAILABLE, where + " answered HTTP " + response.statusCode());
          }
          Outcome outcome = verify(certificate, issuer, id, response.body(), trustedResponder);
          return outcome.status() == Status.UNTRUSTED
              ? Outcome.of(Status.UNTRUSTED, outcome.detail() + " (from " + where + ")") : outcome;
        });
  }

  /**
   * Classifies one DER response about {@code certificate}, with the JDK validating it, and caches
   * a good or revoked answer.
   */
  private Outcome verify(X509Certificate certificate, X509Certificate issuer, OcspMessages.CertId id, byte[] der,
      X509Certificate trustedResponder) {
    Instant now = clock.instant();
    OcspMessages.Response response;
    try {
      response = OcspMessages.response(der, id);
    } catch (RuntimeException e) {
      return Outcome.of(Status.UNTRUSTED, "the OCSP response is malformed");
    }
    if (response.status() != 0) {
      // status responses are unsigned: anyone on the path can send one, so they decide nothing
      return Outcome.of(Status.UNAVAILABLE, "the OCSP responder answered " + response.statusName());
    }
    OcspMessages.SingleResponse single = response.single();
    if (single == null) {
      return Outcome.of(Status.UNTRUSTED, "the OCSP response holds no answer about " + subject(certificate));
    }
    if (single.thisUpdate().isAfter(now.plus(skew))) {
      return Outcome.of(Status.UNTRUSTED, "the OCSP response is not valid yet (thisUpdate " + single.thisUpdate() + ")");
    }
    if (single.nextUpdate() != null && single.nextUpdate().isBefore(now.minus(skew))) {
      return Outcome.of(Status.UNTRUSTED, "the OCSP response is stale (nextUpdate " + single.nextUpdate() + " has passed)");
    }
    try {
      jdkValidate(certificate, issuer, der, trustedResponder, now);
    } catch (CertPathValidatorException e) {
      if (e.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
        String reason = e.getCause() instanceof CertificateRevokedException
            ? ", reason " + ((CertificateRevokedException) e.getCause()).getRevocationReason() : "";
        Outcome revoked = Outcome.of(Status.REVOKED, subject(certificate) + " is revoked by its OCSP responder since "
            + single.revocationTime() + reason);
        remember(id, revoked, single, now);
        return revoked;
      }
      if (e.getReason() == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS
          && single.status() == OcspMessages.CertStatus.UNKNOWN) {
        return Outcome.of(Status.UNKNOWN, "the OCSP responder does not know " + subject(certificate));
      }
      return Outcome.of(Status.UNTRUSTED, "the OCSP response about " + subject(certificate)
          + " could not be verified: " + e.getMessage());
    } catch (GeneralSecurityException | RuntimeException e) {
      return Outcome.of(Status.UNTRUSTED, "the OCSP response about " + subject(certificate) + " could not be verified");
    }
    if (single.status() != OcspMessages.CertStatus.GOOD && single.status() != OcspMessages.CertStatus.REVOKED) {
      return Outcome.of(Status.UNKNOWN, "the OCSP responder does not know " + subject(certificate));
    }
    // a revocation dated in the future passes the JDK; it is good until then
    Outcome good = Outcome.of(Status.GOOD, subject(certificate) + " is good according to its OCSP responder");
    remember(id, good, single, now);
    return good;
  }

  private void remember(OcspMessages.CertId id, Outcome outcome, OcspMessages.SingleResponse single, Instant now) {
    if (single.nextUpdate() == null || settings.cacheMaxEntries() == 0) {
      return;
    }
    Instant expires = now.plus(settings.maxAge());
    expires = single.nextUpdate().isBefore(expires) ? single.nextUpdate() : expires;
    if (single.status() == OcspMessages.CertStatus.REVOKED && outcome.status() == Status.GOOD
        && single.revocationTime().isBefore(expires)) {
      expires = single.revocationTime();
    }
    if (expires.isAfter(now)) {
      cache.put(id.key(), new Answer(outcome, expires));
    }
  }

  /**
   * The JDK's verdict on the response: a one-certificate path anchored at the issuer (which the
   * path validation already established), revocation by this response only ({@code NO_FALLBACK}:
   * no CRL, and with the response given the checker never goes to the network), at the clock's
   * time moved into the certificate's validity, which the path check accepted within the skew.
   */
  private static void jdkValidate(X509Certificate certificate, X509Certificate issuer, byte[] der,
      X509Certificate trustedResponder, Instant now) throws GeneralSecurityException {
    CertPathValidator validator = CertPathValidator.getInstance("PKIX");
    PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
    checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.NO_FALLBACK));
    checker.setOcspResponses(Map.of(certificate, der));
    if (trustedResponder != null) {
      checker.setOcspResponderCert(trustedResponder);
    }
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(issuer, null)));
    // the explicit checker replaces the default one; revocation "enabled" would add nothing else
    params.setRevocationEnabled(false);
    params.addCertPathChecker(checker);
    Instant from = certificate.getNotBefore().toInstant();
    Instant to = certificate.getNotAfter().toInstant();
    Instant at = now.isBefore(from) ? from : now.isAfter(to) ? to : now;
    params.setDate(Date.from(at));
    validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)), params);
  }

  private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String subject(X509Certificate certificate) {
    return "'" + certificate.getSubjectX500Principal().getName() + "' (serial "
        + certificate.getSerialNumber().toString(16) + ")";
  }

  /** A body of a 200 response read up to {@link #MAX_RESPONSE} bytes; other bodies are discarded. */
  private static HttpResponse.BodySubscriber<byte[]> body(HttpResponse.ResponseInfo info) {
    if (info.statusCode() != 200) {
      return HttpResponse.BodySubscribers.replacing(null);
    }
    return BoundedBody.subscriber(info, MAX_RESPONSE);
  }
}
