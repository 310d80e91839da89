package io.apisec.config;

import java.nio.file.Path;

/** Reads an issuer's {@code introspection:} mapping into an {@link IntrospectionConfig}. */
final class IntrospectionConfigReader {
  private IntrospectionConfigReader() {}

  static IntrospectionConfig read(ConfigNode node, Path base) {
    ConfigNode endpoint = node.require("endpoint");
    IntrospectionConfig.Builder b = endpoint.convert(() -> IntrospectionConfig.builder(endpoint.string()));
    ConfigNode clientId = node.require("client-id");
    clientId.convert(() -> b.clientId(clientId.text()));
    ConfigNode auth = node.get("client-auth");
    if (auth != null) {
      String name = auth.oneOf("client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth");
      b.clientAuth(IntrospectionConfig.ClientAuth.fromConfigName(name));
    }
    ConfigNode secret = node.get("client-secret");
    ConfigNode secretFile = node.get("client-secret-file");
    if (secret != null && secretFile != null) {
      throw secretFile.error("set client-secret or client-secret-file, not both");
    }
    if (secret != null) {
      // text(): a secret of digits only is still a secret, not a number
      secret.convert(() -> b.clientSecret(secret.text()).clientSecretWrittenInFile());
    }
    if (secretFile != null) {
      secretFile.convert(() -> b.clientSecretFile(file(secretFile, base)));
    }
    ConfigNode keyStore = node.get("key-store");
    ConfigNode keyStorePassword = node.get("key-store-password");
    ConfigNode privateKey = node.get("private-key");
    ConfigNode certificate = node.get("certificate");
    if (keyStore != null && (privateKey != null || certificate != null)) {
      throw keyStore.error("set key-store, or private-key (and certificate), not both");
    }
    if (keyStorePassword != null && keyStore == null) {
      throw keyStorePassword.error("key-store-password needs key-store");
    }
    if (keyStore != null) {
      keyStore.convert(() -> b.keyStore(file(keyStore, base), keyStorePassword == null ? null : keyStorePassword.text()));
    }
    if (privateKey != null) {
      privateKey.convert(() -> b.privateKey(file(privateKey, base)));
    }
    if (certificate != null) {
      certificate.convert(() -> b.certificate(file(certificate, base)));
    }
    ConfigNode keyId = node.get("key-id");
    if (keyId != null) {
      keyId.convert(() -> b.keyId(keyId.text()));
    }
    ConfigNode audience = node.get("assertion-audience");
    if (audience != null) {
      audience.convert(() -> b.assertionAudience(audience.string()));
    }
    ConfigNode anchors = node.get("trust-anchors");
    if (anchors != null) {
      for (ConfigNode anchor : anchors.items()) {
        anchor.convert(() -> b.trustAnchors(file(anchor, base)));
      }
    }
    ConfigNode timeout = node.get("timeout");
    if (timeout != null) {
      timeout.convert(() -> b.timeout(timeout.duration()));
    }
    ConfigNode maxEntries = node.get("cache-max-entries");
    if (maxEntries != null) {
      maxEntries.convert(() -> b.cacheMaxEntries(maxEntries.intValue()));
    }
    ConfigNode maxTtl = node.get("cache-max-ttl");
    if (maxTtl != null) {
      maxTtl.convert(() -> b.cacheMaxTtl(maxTtl.duration()));
    }
    ConfigNode negative = node.get("negative-cache");
    if (negative != null) {
      negative.convert(() -> b.negativeCache(negative.duration()));
    }
    ConfigNode staleness = node.get("max-staleness");
    if (staleness != null) {
      staleness.convert(() -> b.maxStaleness(staleness.duration()));
    }
    node.rejectUnknownKeys();
    return node.convert(b::build);
  }

  private static Path file(ConfigNode node, Path base) {
    String name = node.string();
    return base == null ? Path.of(name) : base.resolve(name);
  }
}
