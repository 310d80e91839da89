package io.apisec.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How client certificates are checked for revocation with OCSP (RFC 6960): whether at all and
 * what an undeterminable status means, where the responder is, which responder certificate is
 * trusted besides the issuing CA and its delegates, how long to wait, how long answers are
 * cached, and which header a trusted proxy staples a response in. Immutable; build it with
 * {@link #builder()}.
 *
 * @param mode off, soft-fail (an unreachable responder or an unknown status lets the request
 *     through, recorded) or hard-fail (it denies)
 * @param responderUrl the responder to ask instead of the one each certificate names in its
 *     authority information access extension
 * @param responderCertificate a PEM file with a responder certificate trusted directly (RFC 6960
 *     "locally configured"), besides the issuing CA and responders it delegated to
 * @param timeout how long one responder exchange may take
 * @param cacheMaxEntries how many certificates' answers are kept
 * @param maxAge the longest an answer is reused, even when its nextUpdate is later
 * @param stapledHeader the (lower-case) header a trusted proxy forwards a DER OCSP response for
 *     the forwarded leaf in, base64; empty when none is read
 * @param check whether only the client certificate or every certificate of its path below the
 *     trust anchor is checked
 */
public record OcspSettings(
    Mode mode,
    Optional<URI> responderUrl,
    Optional<Path> responderCertificate,
    Duration timeout,
    int cacheMaxEntries,
    Duration maxAge,
    String stapledHeader,
    Check check) {
  /** OCSP off. */
  public static final OcspSettings OFF = builder().build();

  /** What a status that cannot be determined means. */
  public enum Mode {
    /** No OCSP check. */
    OFF("off"),
    /** Unreachable responder or unknown status: allowed, recorded in the request's attributes. */
    SOFT_FAIL("soft-fail"),
    /** Unreachable responder or unknown status: denied. */
    HARD_FAIL("hard-fail");

    private final String configName;

    Mode(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    /** Parses a configuration name; {@code null} when unknown. */
    public static Mode fromConfigName(String name) {
      for (Mode mode : values()) {
        if (mode.configName.equals(name)) {
          return mode;
        }
      }
      return null;
    }
  }

  /** Which certificates of a path are checked. */
  public enum Check {
    /** The client certificate only. */
    LEAF,
    /** The client certificate and every intermediate CA below the trust anchor. */
    CHAIN;

    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public OcspSettings {
    Objects.requireNonNull(mode, "mtls.ocsp.mode");
    Objects.requireNonNull(responderUrl, "mtls.ocsp.responder-url");
    Objects.requireNonNull(responderCertificate, "mtls.ocsp.responder-certificate");
    Objects.requireNonNull(check, "mtls.ocsp.check");
    responderUrl.ifPresent(OcspSettings::checkUrl);
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("mtls.ocsp.timeout must be positive: " + timeout);
    }
    if (cacheMaxEntries < 0) {
      throw new IllegalArgumentException("mtls.ocsp.cache-max-entries must not be negative: " + cacheMaxEntries);
    }
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("mtls.ocsp.max-age must not be negative: " + maxAge);
    }
    stapledHeader = stapledHeader.toLowerCase(Locale.ROOT);
  }

  /** Whether OCSP is checked at all. */
  public boolean enabled() {
    return mode != Mode.OFF;
  }

  public static Builder builder() {
    return new Builder();
  }

  private static void checkUrl(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException("mtls.ocsp.responder-url must be an absolute http or https URL: '" + url + "'");
    }
  }

  /** Collects the settings; each setter rejects a bad value at once. Not thread-safe. */
  public static final class Builder {
    private Mode mode = Mode.OFF;
    private URI responderUrl;
    private Path responderCertificate;
    private Duration timeout = Duration.ofSeconds(5);
    private int cacheMaxEntries = 10_000;
    private Duration maxAge = Duration.ofHours(1);
    private String stapledHeader = "";
    private Check check = Check.LEAF;

    private Builder() {}

    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Asks this responder instead of the one each certificate names. */
    public Builder responderUrl(URI url) {
      checkUrl(url);
      this.responderUrl = url;
      return this;
    }

    /** Trusts responses signed by the certificate in this PEM file, besides the issuing CA's. */
    public Builder responderCertificate(Path file) {
      this.responderCertificate = Objects.requireNonNull(file, "file");
      return this;
    }

    public Builder timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("mtls.ocsp.timeout must be positive: " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** How many certificates' answers are cached; 0 caches none. */
    public Builder cacheMaxEntries(int entries) {
      if (entries < 0) {
        throw new IllegalArgumentException("mtls.ocsp.cache-max-entries must not be negative: " + entries);
      }
      this.cacheMaxEntries = entries;
      return this;
    }

    /** The longest an answer is reused; zero caches none. */
    public Builder maxAge(Duration maxAge) {
      if (maxAge.isNegative()) {
        throw new IllegalArgumentException("mtls.ocsp.max-age must not be negative: " + maxAge);
      }
      this.maxAge = maxAge;
      return this;
    }

    /** Reads a response a trusted proxy staples for the forwarded certificate from this header. */
    public Builder stapledHeader(String header) {
      if (header == null || !header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        throw new IllegalArgumentException("mtls.ocsp.stapled-header is not a header name: '" + header + "'");
      }
      this.stapledHeader = header;
      return this;
    }

    public Builder check(Check check) {
      this.check = Objects.requireNonNull(check, "check");
      return this;
    }

    public OcspSettings build() {
      return new OcspSettings(mode, Optional.ofNullable(responderUrl), Optional.ofNullable(responderCertificate),
          timeout, cacheMaxEntries, maxAge, stapledHeader, check);
    }
  }
}
