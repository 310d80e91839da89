package io.apisec.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the {@code mtls:} section of a configuration file. Stateless. */
final class MtlsSection {
  private MtlsSection() {}

  static MtlsSettings read(ConfigNode node, Path base) {
    MtlsSettings.Builder mtls = MtlsSettings.builder();
    ConfigNode anchors = node.get("trust-anchors");
    if (anchors != null) {
      mtls.trustAnchors(files(anchors, base));
    }
    ConfigNode intermediates = node.get("intermediates");
    if (intermediates != null) {
      mtls.intermediates(files(intermediates, base));
    }
    ConfigNode crls = node.get("crls");
    if (crls != null) {
      mtls.crls(files(crls, base));
    }
    ConfigNode skew = node.get("clock-skew");
    if (skew != null) {
      skew.convert(() -> mtls.clockSkew(skew.duration()));
    }
    ConfigNode eku = node.get("require-eku");
    if (eku != null) {
      mtls.requireClientAuthEku(eku.bool());
    }
    ConfigNode forwarded = node.get("forwarded-header");
    if (forwarded != null) {
      if (forwarded.isMap()) {
        ConfigNode format = forwarded.require("format");
        MtlsSettings.ForwardedFormat f = format(format);
        ConfigNode name = forwarded.get("name");
        ConfigNode chainName = forwarded.get("chain-name");
        forwarded.rejectUnknownKeys();
        if (chainName != null && f != MtlsSettings.ForwardedFormat.RFC9440) {
          throw chainName.error("chain-name applies only to the rfc9440 format");
        }
        forwarded.convert(() -> mtls.forwardedHeader(f,
            name == null ? f.defaultHeader() : name.string(),
            chainName == null ? f.defaultChainHeader() : chainName.string()));
      } else {
        mtls.forwardedHeader(format(forwarded));
      }
    }
    ConfigNode ocsp = node.get("ocsp");
    if (ocsp != null) {
      mtls.ocsp(ocsp(ocsp, base));
    }
    node.rejectUnknownKeys();
    return node.convert(mtls::build);
  }

  private static OcspSettings ocsp(ConfigNode node, Path base) {
    OcspSettings.Builder ocsp = OcspSettings.builder();
    ConfigNode mode = node.require("mode");
    ocsp.mode(OcspSettings.Mode.fromConfigName(mode.oneOf("off", "soft-fail", "hard-fail")));
    ConfigNode url = node.get("responder-url");
    if (url != null) {
      url.convert(() -> ocsp.responderUrl(uri(url)));
    }
    ConfigNode responder = node.get("responder-certificate");
    if (responder != null) {
      Path file = base == null ? Path.of(responder.string()) : base.resolve(responder.string());
      if (!Files.isRegularFile(file)) {
        throw responder.error("file not found: " + file);
      }
      ocsp.responderCertificate(file);
    }
    ConfigNode timeout = node.get("timeout");
    if (timeout != null) {
      timeout.convert(() -> ocsp.timeout(timeout.duration()));
    }
    ConfigNode entries = node.get("cache-max-entries");
    if (entries != null) {
      entries.convert(() -> ocsp.cacheMaxEntries(entries.intValue()));
    }
    ConfigNode maxAge = node.get("max-age");
    if (maxAge != null) {
      maxAge.convert(() -> ocsp.maxAge(maxAge.duration()));
    }
    ConfigNode stapled = node.get("stapled-header");
    if (stapled != null) {
      stapled.convert(() -> ocsp.stapledHeader(stapled.string()));
    }
    ConfigNode check = node.get("check");
    if (check != null) {
      ocsp.check(check.oneOf("leaf", "chain").equals("leaf") ? OcspSettings.Check.LEAF : OcspSettings.Check.CHAIN);
    }
    node.rejectUnknownKeys();
    return node.convert(ocsp::build);
  }

  private static URI uri(ConfigNode node) {
    try {
      return new URI(node.string());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("mtls.ocsp.responder-url is not a URL: '" + node.string() + "'");
    }
  }

  private static MtlsSettings.ForwardedFormat format(ConfigNode node) {
    MtlsSettings.ForwardedFormat format = MtlsSettings.ForwardedFormat.fromConfigName(node.text());
    if (format == null) {
      throw node.error("expected one of none, xfcc, pem, rfc9440, found '" + node.text() + "'");
    }
    return format;
  }

  private static Path[] files(ConfigNode list, Path base) {
    List<Path> files = new ArrayList<>();
    for (ConfigNode item : list.items()) {
      Path file = base == null ? Path.of(item.string()) : base.resolve(item.string());
      if (!Files.isRegularFile(file)) {
        throw item.error("file not found: " + file);
      }
      files.add(file);
    }
    return files.toArray(new Path[0]);
  }
}
