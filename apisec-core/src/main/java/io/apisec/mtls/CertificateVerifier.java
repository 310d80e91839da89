package io.apisec.mtls;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.apisec.Attribute;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.Stage;
import io.apisec.TlsInfo;
import io.apisec.config.ConfigException;
import io.apisec.config.MtlsSettings;
import io.apisec.config.OcspSettings;
import io.apisec.internal.TrustedProxies;
import java.security.cert.X509Certificate;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Finds and verifies the client certificate of a request: from the TLS session's peer chain, or —
 * only when the immediate peer is a trusted proxy — from the forwarded-certificate header the
 * configuration names; then PKIX-validates it against the configured trust material. It makes
 * the {@code mtls} stage of a route and the RFC 8705 certificate-binding check that follows token
 * verification.
 *
 * <p>Thread-safe. {@link #reload()} swaps the trust anchors, intermediates and CRLs atomically;
 * requests in flight finish with the material they started with. Never throws on request input:
 * malformed headers and invalid chains become denials.
 */
public final class CertificateVerifier {
  /**
   * Set when a request from a peer that is not a trusted proxy carried a forwarded-certificate
   * header, which was ignored; the value names the header.
   */
  public static final Attribute<String> IGNORED_FORWARDED_CERTIFICATE =
      Attribute.of("ignored-forwarded-certificate", String.class);

  /**
   * The OCSP revocation status of the request's client certificate when OCSP is on: {@code good},
   * {@code good (stapled)}, or {@code soft-fail: <why>} when soft-fail let an undetermined status
   * through.
   */
  public static final Attribute<String> REVOCATION_STATUS = Attribute.of("ocsp-status", String.class);

  private static final Set<String> WELL_KNOWN_HEADERS = Set.of(
      MtlsSettings.ForwardedFormat.XFCC.defaultHeader(),
      MtlsSettings.ForwardedFormat.PEM.defaultHeader(),
      MtlsSettings.ForwardedFormat.RFC9440.defaultHeader(),
      MtlsSettings.ForwardedFormat.RFC9440.defaultChainHeader());

  private static final int MAX_CACHED = 10_000;

  private final MtlsSettings settings;
  private final TrustedProxies proxies;
  private final Clock clock;
  private final Set<String> forwardedHeaders;
  private volatile TrustMaterial material;
  private final ConcurrentHashMap<String, Valid> valid = new ConcurrentHashMap<>();
  // weak, identity-compared keys: an entry goes with the connection that held the certificate
  private final Cache<X509Certificate, ChainKey> chainKeys = Caffeine.newBuilder()
      .weakKeys().maximumSize(MAX_CACHED).executor(Runnable::run).build();
  private final OcspRevocation ocsp;

  private CertificateVerifier(MtlsSettings settings, TrustedProxies proxies, Clock clock) {
    this.settings = settings;
    this.proxies = proxies;
    this.clock = clock;
    Set<String> headers = new LinkedHashSet<>(WELL_KNOWN_HEADERS);
    if (!settings.forwardedHeader().isEmpty()) {
      headers.add(settings.forwardedHeader());
    }
    if (!settings.forwardedChainHeader().isEmpty()) {
      headers.add(settings.forwardedChainHeader());
    }
    if (!settings.ocsp().stapledHeader().isEmpty()) {
      headers.add(settings.ocsp().stapledHeader());
    }
    this.forwardedHeaders = Set.copyOf(headers);
    this.material = TrustMaterial.load(settings);
    this.ocsp = settings.ocsp().enabled() ? new OcspRevocation(settings.ocsp(), clock, settings.clockSkew()) : null;
  }

  /**
   * A verifier reading its files now; throws a ConfigException naming the key when a file cannot
   * be read.
   */
  public static CertificateVerifier create(MtlsSettings settings, TrustedProxies proxies, Clock clock) {
    return new CertificateVerifier(
        Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(proxies, "proxies"),
        Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Re-reads trust anchors, intermediates and CRLs from their files. When one cannot be read,
   * throws a ConfigException and keeps the material in use.
   */
  public void reload() {
    this.material = TrustMaterial.load(settings);
    valid.clear();
  }

  /**
   * The {@code mtls} stage of {@code route}: requires a valid certificate on {@code mtls} and
   * {@code jwt+mtls} routes, checks a presented one on others, and applies the route's allow list.
   * Throws a ConfigException when the route needs certificates and no trust anchor is configured,
   * or when an allow-list pattern is malformed.
   */
  public Stage stage(Route route) {
    if (settings.trustAnchors().isEmpty()) {
      throw new ConfigException("routes." + route.name() + ".auth",
          "route '" + route.name() + "' checks client certificates but mtls.trust-anchors is empty");
    }
    CertificateAllowList allowList;
    try {
      allowList = CertificateAllowList.of(route.certificateAllow());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("routes." + route.name() + ".certificates", e.getMessage());
    }
    return new MtlsStage(this, route.auth().requiresCertificate(), allowList);
  }

  /**
   * The RFC 8705 check that runs right after token verification: a token whose claims hold
   * {@code cnf.x5t#S256} passes only when the request presents that certificate.
   */
  public Stage tokenBindingStage() {
    return new TokenBindingStage(this);
  }

  /**
   * What the request presents, whether a forwarded header from an untrusted peer was ignored,
   * and the OCSP response a trusted proxy stapled ({@code null} when none).
   */
  record Presented(List<X509Certificate> chain, String source, String malformed, String ignoredHeader, String stapled) {
    boolean isEmpty() {
      return chain.isEmpty();
    }
  }

  Presented presented(RequestView request) {
    boolean trusted = proxies.peerIsTrusted(request);
    MtlsSettings.ForwardedFormat format = settings.forwardedFormat();
    if (trusted && format != MtlsSettings.ForwardedFormat.NONE) {
      // behind a trusted proxy only its header counts: the proxy's own TLS certificate is not the client's
      ForwardedCertificateParser.Parsed parsed = switch (format) {
        case XFCC -> ForwardedCertificateParser.xfcc(request.headers().all(settings.forwardedHeader()));
        case PEM -> ForwardedCertificateParser.pem(request.headers().all(settings.forwardedHeader()),
            settings.forwardedHeader());
        default -> ForwardedCertificateParser.rfc9440(request.headers().all(settings.forwardedHeader()),
            request.headers().all(settings.forwardedChainHeader()), settings.forwardedHeader(),
            settings.forwardedChainHeader());
      };
      String stapled = settings.ocsp().stapledHeader().isEmpty() ? null
          : request.headers().first(settings.ocsp().stapledHeader()).orElse(null);
      return new Presented(parsed.chain(), "forwarded " + settings.forwardedHeader(), parsed.malformed(), null, stapled);
    }
    String ignored = null;
    if (!trusted) {
      for (String name : forwardedHeaders) {
        if (request.headers().contains(name)) {
          ignored = name;
          break;
        }
      }
    }
    List<X509Certificate> chain = request.tls().map(TlsInfo::peerChain).orElse(List.of());
    return new Presented(chain, "TLS session", null, ignored, null);
  }

  PathValidator.Verdict validate(List<X509Certificate> chain) {
    TrustMaterial current = material;
    Instant now = clock.instant();
    String key = chainKey(chain);
    Valid cached = key == null ? null : valid.get(key);
    if (cached != null && cached.material == current && cached.covers(now, settings.clockSkew())) {
      return cached.verdict;
    }
    PathValidator.Verdict verdict = PathValidator.validate(current, chain, now, settings.clockSkew(),
        settings.requireClientAuthEku());
    if (verdict.valid() && key != null) {
      if (valid.size() >= MAX_CACHED) {
        // bounded memory over precision: a full cache starts over rather than tracking recency
        valid.clear();
      }
      valid.put(key, new Valid(current, verdict));
    }
    return verdict;
  }

  /**
   * A chain found valid, so the same chain presented again (every request of a connection, every
   * request through a proxy) costs a lookup, not a path build. Only time can change the verdict
   * while the trust material stays, so a hit re-checks validity windows against the clock; a
   * reload changes the material and so misses.
   */
  private static final class Valid {
    final TrustMaterial material;
    final PathValidator.Verdict verdict;
    final Instant notBefore;
    final Instant notAfter;

    Valid(TrustMaterial material, PathValidator.Verdict verdict) {
      this.material = material;
      this.verdict = verdict;
      Instant from = Instant.MIN;
      Instant to = Instant.MAX;
      for (X509Certificate certificate : verdict.path()) {
        Instant nb = certificate.getNotBefore().toInstant();
        Instant na = certificate.getNotAfter().toInstant();
        from = nb.isAfter(from) ? nb : from;
        to = na.isBefore(to) ? na : to;
      }
      this.notBefore = from;
      this.notAfter = to;
    }

    boolean covers(Instant now, Duration skew) {
      return !now.plus(skew).isBefore(notBefore) && !now.minus(skew).isAfter(notAfter);
    }
  }

  /**
   * The chain's key, remembered per leaf certificate object: a TLS session hands the same
   * certificate objects to every request of its connection, so hashing their encodings once per
   * connection is enough. Certificates are immutable; the chain's objects are compared too.
   */
  private String chainKey(List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return cacheKey(chain);
    }
    ChainKey known = chainKeys.getIfPresent(chain.get(0));
    if (known != null && known.sameObjects(chain)) {
      return known.key();
    }
    String key = cacheKey(chain);
    if (key != null) {
      chainKeys.put(chain.get(0), new ChainKey(chain.toArray(new X509Certificate[0]), key));
    }
    return key;
  }

  /** A chain's certificate objects and their cache key. */
  private record ChainKey(X509Certificate[] chain, String key) {
    boolean sameObjects(List<X509Certificate> other) {
      if (other.size() != chain.length) {
        return false;
      }
      for (int i = 0; i < chain.length; i++) {
        if (other.get(i) != chain[i]) {
          return false;
        }
      }
      return true;
    }
  }

  private static String cacheKey(List<X509Certificate> chain) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (X509Certificate certificate : chain) {
        digest.update(certificate.getEncoded());
        digest.update((byte) 0);
      }
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  /** Whether OCSP revocation checking is on. */
  boolean checksRevocation() {
    return ocsp != null;
  }

  OcspSettings.Mode revocationMode() {
    return settings.ocsp().mode();
  }

  /** The OCSP status of a valid path (leaf first, anchor last); never completes exceptionally. */
  CompletionStage<OcspRevocation.Outcome> revocation(List<X509Certificate> path, String stapled) {
    return ocsp.check(path, stapled, material.ocspResponder);
  }

  /** Whether chains can be validated at all (trust anchors are configured). */
  boolean validates() {
    return !settings.trustAnchors().isEmpty();
  }
}
