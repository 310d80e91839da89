package io.apisec.config;

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
    node.rejectUnknownKeys();
    return node.convert(mtls::build);
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
