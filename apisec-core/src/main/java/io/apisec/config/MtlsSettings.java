package io.apisec.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How client certificates are verified: trust anchors, extra intermediates and revocation lists
 * (PEM files, re-read on reload), the clock skew for validity checks, whether the {@code
 * clientAuth} extended key usage is required, and which header a trusted proxy forwards the
 * client certificate in. Immutable; build it with {@link #builder()}.
 *
 * @param trustAnchors PEM files of the CA certificates client chains must lead to
 * @param intermediates PEM files of intermediate CA certificates used to build paths
 * @param crls PEM or DER files of certificate revocation lists
 * @param clockSkew tolerance of validity checks
 * @param requireClientAuthEku whether a leaf must list the {@code clientAuth} extended key usage
 * @param forwardedFormat the header format a trusted proxy uses, or NONE to read no such header
 * @param forwardedHeader the (lower-case) header name holding the certificate, empty for NONE
 * @param forwardedChainHeader the header holding the chain ({@code rfc9440} only), else empty
 * @param ocsp OCSP revocation checking of client certificates
 */
public record MtlsSettings(
    List<Path> trustAnchors,
    List<Path> intermediates,
    List<Path> crls,
    Duration clockSkew,
    boolean requireClientAuthEku,
    ForwardedFormat forwardedFormat,
    String forwardedHeader,
    String forwardedChainHeader,
    OcspSettings ocsp) {
  /** No trust anchors, 60 s skew, clientAuth required, no forwarded header. */
  public static final MtlsSettings DEFAULTS = builder().build();

  /** How a trusted proxy forwards the client certificate. */
  public enum ForwardedFormat {
    /** Forwarded certificates are never read. */
    NONE("none", "", ""),
    /** Envoy {@code X-Forwarded-Client-Cert}. */
    XFCC("xfcc", "x-forwarded-client-cert", ""),
    /** A URL-encoded PEM chain (nginx {@code $ssl_client_escaped_cert}, HAProxy). */
    PEM("pem", "x-ssl-client-cert", ""),
    /** RFC 9440 {@code Client-Cert} and {@code Client-Cert-Chain}. */
    RFC9440("rfc9440", "client-cert", "client-cert-chain");

    private final String configName;
    private final String defaultHeader;
    private final String defaultChainHeader;

    ForwardedFormat(String configName, String defaultHeader, String defaultChainHeader) {
      this.configName = configName;
      this.defaultHeader = defaultHeader;
      this.defaultChainHeader = defaultChainHeader;
    }

    public String configName() {
      return configName;
    }

    public String defaultHeader() {
      return defaultHeader;
    }

    public String defaultChainHeader() {
      return defaultChainHeader;
    }

    /** Parses a configuration name; {@code null} when unknown. */
    public static ForwardedFormat fromConfigName(String name) {
      for (ForwardedFormat format : values()) {
        if (format.configName.equals(name)) {
          return format;
        }
      }
      return null;
    }
  }

  public MtlsSettings {
    trustAnchors = List.copyOf(trustAnchors);
    intermediates = List.copyOf(intermediates);
    crls = List.copyOf(crls);
    Objects.requireNonNull(clockSkew, "mtls.clock-skew");
    if (clockSkew.isNegative()) {
      throw new IllegalArgumentException("mtls.clock-skew must not be negative: " + clockSkew);
    }
    Objects.requireNonNull(forwardedFormat, "mtls.forwarded-header");
    forwardedHeader = forwardedHeader.toLowerCase(Locale.ROOT);
    forwardedChainHeader = forwardedChainHeader.toLowerCase(Locale.ROOT);
    Objects.requireNonNull(ocsp, "mtls.ocsp");
    if (!ocsp.stapledHeader().isEmpty() && forwardedFormat == ForwardedFormat.NONE) {
      throw new IllegalArgumentException(
          "mtls.ocsp.stapled-header applies only to forwarded certificates, and mtls.forwarded-header is none");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects the settings; each setter rejects a bad value at once. Not thread-safe. */
  public static final class Builder {
    private final List<Path> trustAnchors = new ArrayList<>();
    private final List<Path> intermediates = new ArrayList<>();
    private final List<Path> crls = new ArrayList<>();
    private Duration clockSkew = Duration.ofSeconds(60);
    private boolean requireClientAuthEku = true;
    private ForwardedFormat format = ForwardedFormat.NONE;
    private String header = "";
    private String chainHeader = "";
    private OcspSettings ocsp = OcspSettings.OFF;

    private Builder() {}

    public Builder trustAnchors(Path... files) {
      trustAnchors.addAll(List.of(files));
      return this;
    }

    public Builder intermediates(Path... files) {
      intermediates.addAll(List.of(files));
      return this;
    }

    public Builder crls(Path... files) {
      crls.addAll(List.of(files));
      return this;
    }

    public Builder clockSkew(Duration skew) {
      if (skew.isNegative()) {
        throw new IllegalArgumentException("mtls.clock-skew must not be negative: " + skew);
      }
      this.clockSkew = skew;
      return this;
    }

    public Builder requireClientAuthEku(boolean require) {
      this.requireClientAuthEku = require;
      return this;
    }

    /** Reads forwarded certificates in {@code format} under its usual header names. */
    public Builder forwardedHeader(ForwardedFormat format) {
      return forwardedHeader(format, format.defaultHeader(), format.defaultChainHeader());
    }

    /** Reads forwarded certificates in {@code format} from the named headers. */
    public Builder forwardedHeader(ForwardedFormat format, String header, String chainHeader) {
      Objects.requireNonNull(format, "format");
      if (format != ForwardedFormat.NONE && !validName(header)) {
        throw new IllegalArgumentException("mtls.forwarded-header.name is not a header name: '" + header + "'");
      }
      if (format == ForwardedFormat.RFC9440 && !validName(chainHeader)) {
        throw new IllegalArgumentException("mtls.forwarded-header.chain-name is not a header name: '" + chainHeader + "'");
      }
      this.format = format;
      this.header = format == ForwardedFormat.NONE ? "" : header;
      this.chainHeader = format == ForwardedFormat.RFC9440 ? chainHeader : "";
      return this;
    }

    private static boolean validName(String name) {
      return name != null && name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+");
    }

    /** Checks client certificates for revocation with OCSP. */
    public Builder ocsp(OcspSettings ocsp) {
      this.ocsp = Objects.requireNonNull(ocsp, "ocsp");
      return this;
    }

    public MtlsSettings build() {
      return new MtlsSettings(trustAnchors, intermediates, crls, clockSkew, requireClientAuthEku, format, header, chainHeader,
          ocsp);
    }
  }
}
