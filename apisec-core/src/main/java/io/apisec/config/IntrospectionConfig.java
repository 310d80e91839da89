package io.apisec.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How one issuer's opaque access tokens are checked with OAuth 2.0 Token Introspection (RFC 7662):
 * the endpoint, how apisec authenticates to it, and how long answers are cached.
 *
 * <p>Immutable. Files (secret, keys, certificates) are read when the builder is given them, so a
 * bad file fails at start naming its key; {@link #toString()} never shows a secret or key.
 */
public final class IntrospectionConfig {
  private static final Pattern PEM_KEY =
      Pattern.compile("-----BEGIN ([A-Z ]*)PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1PRIVATE KEY-----");

  /** How apisec authenticates to the introspection endpoint (RFC 7591 names). */
  public enum ClientAuth {
    /** HTTP Basic with the form-encoded client id and secret (RFC 6749 §2.3.1); the default. */
    CLIENT_SECRET_BASIC("client_secret_basic"),
    /** {@code client_id} and {@code client_secret} in the form body. */
    CLIENT_SECRET_POST("client_secret_post"),
    /** A JWT client assertion signed with a configured private key (RFC 7523). */
    PRIVATE_KEY_JWT("private_key_jwt"),
    /** A client certificate presented in the TLS handshake (RFC 8705 §2.1). */
    TLS_CLIENT_AUTH("tls_client_auth");

    private final String configName;

    ClientAuth(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    /** Parses a configuration name; {@code null} when unknown. */
    public static ClientAuth fromConfigName(String name) {
      for (ClientAuth auth : values()) {
        if (auth.configName.equals(name)) {
          return auth;
        }
      }
      return null;
    }
  }

  private final URI endpoint;
  private final String clientId;
  private final ClientAuth clientAuth;
  private final String clientSecret;
  private final boolean clientSecretInline;
  private final PrivateKey privateKey;
  private final List<X509Certificate> certificateChain;
  private final String keyId;
  private final String assertionAudience;
  private final List<X509Certificate> trustAnchors;
  private final Duration timeout;
  private final int cacheMaxEntries;
  private final Duration cacheMaxTtl;
  private final Duration negativeCache;
  private final Duration maxStaleness;

  private IntrospectionConfig(Builder b) {
    this.endpoint = b.endpoint;
    this.clientId = b.clientId;
    this.clientAuth = b.clientAuth;
    this.clientSecret = b.clientSecret;
    this.clientSecretInline = b.clientSecretInline;
    this.privateKey = b.privateKey;
    this.certificateChain = List.copyOf(b.certificateChain);
    this.keyId = b.keyId;
    this.assertionAudience = b.assertionAudience == null ? b.endpoint.toString() : b.assertionAudience;
    this.trustAnchors = List.copyOf(b.trustAnchors);
    this.timeout = b.timeout;
    this.cacheMaxEntries = b.cacheMaxEntries;
    this.cacheMaxTtl = b.cacheMaxTtl;
    this.negativeCache = b.negativeCache;
    this.maxStaleness = b.maxStaleness;
  }

  /** Starts the settings for the introspection endpoint at {@code endpoint} (an http(s) URL). */
  public static Builder builder(String endpoint) {
    return new Builder(endpoint);
  }

  public URI endpoint() {
    return endpoint;
  }

  /** Whether the endpoint is reached in clear text on a host other than loopback. */
  public boolean plainHttpOffLoopback() {
    if (!"http".equalsIgnoreCase(endpoint.getScheme())) {
      return false;
    }
    String host = endpoint.getHost();
    if (host.equalsIgnoreCase("localhost")) {
      return false;
    }
    try {
      // only a literal address is resolved here (a name would need DNS at start)
      return !(host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+\\]") && InetAddress.getByName(host).isLoopbackAddress());
    } catch (UnknownHostException e) {
      return true;
    }
  }

  public String clientId() {
    return clientId;
  }

  public ClientAuth clientAuth() {
    return clientAuth;
  }

  /** The client secret for {@code client_secret_basic} and {@code client_secret_post}. */
  public Optional<String> clientSecret() {
    return Optional.ofNullable(clientSecret);
  }

  /** Whether the client secret was written in a configuration file itself rather than read from its own file. */
  public boolean clientSecretInline() {
    return clientSecretInline;
  }

  /** The key that signs client assertions ({@code private_key_jwt}) or proves the client certificate. */
  public Optional<PrivateKey> privateKey() {
    return Optional.ofNullable(privateKey);
  }

  /** The client certificate, leaf first, for {@code tls_client_auth}; empty otherwise. */
  public List<X509Certificate> certificateChain() {
    return certificateChain;
  }

  /** The {@code kid} header of client assertions, when set. */
  public Optional<String> keyId() {
    return Optional.ofNullable(keyId);
  }

  /** The {@code aud} of client assertions: the endpoint URL unless configured. */
  public String assertionAudience() {
    return assertionAudience;
  }

  /** The CA certificates trusted for the endpoint's TLS certificate; empty means the JDK's defaults. */
  public List<X509Certificate> trustAnchors() {
    return trustAnchors;
  }

  /** How long one introspection call may take, connection included; 5 s by default. */
  public Duration timeout() {
    return timeout;
  }

  /** Most active and (separately) inactive answers cached; 0 disables caching. */
  public int cacheMaxEntries() {
    return cacheMaxEntries;
  }

  /** Longest an active answer is reused without asking again (never past the token's {@code exp}); 5 m by default. */
  public Duration cacheMaxTtl() {
    return cacheMaxTtl;
  }

  /** How long an inactive answer is reused; 5 s by default, 0 for never. */
  public Duration negativeCache() {
    return negativeCache;
  }

  /**
   * How long past {@link #cacheMaxTtl()} an active answer still serves while the endpoint fails (down,
   * slow, 5xx, malformed); never past the token's {@code exp}. 0 means fail closed at once. 5 m by default.
   */
  public Duration maxStaleness() {
    return maxStaleness;
  }

  @Override
  public String toString() {
    return "Introspection[" + endpoint + ", client=" + clientId + ", auth=" + clientAuth.configName()
        + (clientSecret == null ? "" : ", secret=[redacted]") + (privateKey == null ? "" : ", key=[redacted]") + ']';
  }

  /** Collects introspection settings; each setter rejects a bad value at once. Not thread-safe. */
  public static final class Builder {
    private final URI endpoint;
    private String clientId;
    private ClientAuth clientAuth = ClientAuth.CLIENT_SECRET_BASIC;
    private String clientSecret;
    private boolean clientSecretInline;
    private PrivateKey privateKey;
    private List<X509Certificate> certificateChain = List.of();
    private String keyId;
    private String assertionAudience;
    private final List<X509Certificate> trustAnchors = new ArrayList<>();
    private Duration timeout = Duration.ofSeconds(5);
    private int cacheMaxEntries = 10_000;
    private Duration cacheMaxTtl = Duration.ofMinutes(5);
    private Duration negativeCache = Duration.ofSeconds(5);
    private Duration maxStaleness = Duration.ofMinutes(5);

    private Builder(String endpoint) {
      this.endpoint = httpUri("endpoint", endpoint);
    }

    public Builder clientId(String clientId) {
      Objects.requireNonNull(clientId, "client-id");
      if (clientId.isBlank()) {
        throw new IllegalArgumentException("client-id must not be blank");
      }
      this.clientId = clientId;
      return this;
    }

    public Builder clientAuth(ClientAuth clientAuth) {
      this.clientAuth = Objects.requireNonNull(clientAuth, "client-auth");
      return this;
    }

    /** The client secret, as the application obtained it (from a vault, the environment...). */
    public Builder clientSecret(String secret) {
      this.clientSecret = nonEmptySecret(secret, "client-secret");
      this.clientSecretInline = false;
      return this;
    }

    /** Marks the secret as written in a configuration file, which the start-up lint refuses by default. */
    Builder clientSecretWrittenInFile() {
      this.clientSecretInline = clientSecret != null;
      return this;
    }

    /** Reads the client secret from a file (UTF-8; one trailing line break is dropped). */
    public Builder clientSecretFile(Path file) {
      Objects.requireNonNull(file, "client-secret-file");
      String text;
      try {
        text = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalArgumentException("client-secret-file cannot be read: " + file);
      }
      this.clientSecret = nonEmptySecret(text.replaceFirst("\r?\n\\z", ""), "client-secret-file");
      this.clientSecretInline = false;
      return this;
    }

    /** Reads an unencrypted PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}), RSA or EC. */
    public Builder privateKey(Path file) {
      this.privateKey = readPrivateKey(file);
      return this;
    }

    /** Reads the client certificate (PEM, leaf first, optionally followed by its intermediates). */
    public Builder certificate(Path file) {
      Objects.requireNonNull(file, "certificate");
      List<X509Certificate> chain = readCertificates("certificate", file);
      this.certificateChain = chain;
      return this;
    }

    /** Reads the private key and certificate chain from a PKCS#12 key store holding exactly one key. */
    public Builder keyStore(Path file, String password) {
      Objects.requireNonNull(file, "key-store");
      char[] pass = password == null ? new char[0] : password.toCharArray();
      try (InputStream in = Files.newInputStream(file)) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(in, pass);
        List<String> keys = new ArrayList<>();
        for (String alias : Collections.list(store.aliases())) {
          if (store.isKeyEntry(alias)) {
            keys.add(alias);
          }
        }
        if (keys.size() != 1) {
          throw new IllegalArgumentException("key-store must hold exactly one private key, found " + keys.size() + ": " + file);
        }
        Key key = store.getKey(keys.get(0), pass);
        if (!(key instanceof PrivateKey)) {
          throw new IllegalArgumentException("key-store holds no private key: " + file);
        }
        List<X509Certificate> chain = new ArrayList<>();
        Certificate[] certificates = store.getCertificateChain(keys.get(0));
        for (Certificate c : certificates == null ? new Certificate[0] : certificates) {
          chain.add((X509Certificate) c);
        }
        this.privateKey = checkedKey("key-store", (PrivateKey) key);
        this.certificateChain = List.copyOf(chain);
      } catch (IOException | GeneralSecurityException e) {
        // the exception text may quote the password's failure; name only the file
        throw new IllegalArgumentException("key-store cannot be read (wrong password or not PKCS#12): " + file);
      }
      return this;
    }

    public Builder keyId(String kid) {
      Objects.requireNonNull(kid, "key-id");
      this.keyId = kid;
      return this;
    }

    /** The {@code aud} of client assertions when the server expects another than the endpoint URL (such as its issuer). */
    public Builder assertionAudience(String audience) {
      Objects.requireNonNull(audience, "assertion-audience");
      if (audience.isBlank()) {
        throw new IllegalArgumentException("assertion-audience must not be blank");
      }
      this.assertionAudience = audience;
      return this;
    }

    /** PEM files of CA certificates trusted for the endpoint instead of the JDK's defaults. */
    public Builder trustAnchors(Path... files) {
      for (Path file : files) {
        trustAnchors.addAll(readCertificates("trust-anchors", file));
      }
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = positive("timeout", timeout);
      return this;
    }

    public Builder cacheMaxEntries(int maxEntries) {
      if (maxEntries < 0) {
        throw new IllegalArgumentException("cache-max-entries must not be negative: " + maxEntries);
      }
      this.cacheMaxEntries = maxEntries;
      return this;
    }

    public Builder cacheMaxTtl(Duration ttl) {
      this.cacheMaxTtl = positive("cache-max-ttl", ttl);
      return this;
    }

    public Builder negativeCache(Duration ttl) {
      this.negativeCache = notNegative("negative-cache", ttl);
      return this;
    }

    public Builder maxStaleness(Duration staleness) {
      this.maxStaleness = notNegative("max-staleness", staleness);
      return this;
    }

    public IntrospectionConfig build() {
      if (clientId == null) {
        throw new IllegalArgumentException("introspection needs a client-id");
      }
      boolean secretAuth = clientAuth == ClientAuth.CLIENT_SECRET_BASIC || clientAuth == ClientAuth.CLIENT_SECRET_POST;
      if (secretAuth && clientSecret == null) {
        throw new IllegalArgumentException(
            "client-auth " + clientAuth.configName() + " needs client-secret or client-secret-file");
      }
      if (!secretAuth && clientSecret != null) {
        throw new IllegalArgumentException("client-auth " + clientAuth.configName() + " uses no client secret; remove it");
      }
      if (clientAuth == ClientAuth.PRIVATE_KEY_JWT && privateKey == null) {
        throw new IllegalArgumentException("client-auth private_key_jwt needs private-key (or key-store)");
      }
      if (clientAuth == ClientAuth.TLS_CLIENT_AUTH && (privateKey == null || certificateChain.isEmpty())) {
        throw new IllegalArgumentException(
            "client-auth tls_client_auth needs certificate and private-key, or key-store");
      }
      if (clientAuth == ClientAuth.TLS_CLIENT_AUTH
          && !certificateChain.get(0).getPublicKey().getAlgorithm().equals(privateKey.getAlgorithm())) {
        throw new IllegalArgumentException("the client certificate's key type does not match private-key");
      }
      if (secretAuth && (privateKey != null || !certificateChain.isEmpty())) {
        throw new IllegalArgumentException(
            "client-auth " + clientAuth.configName() + " uses no private key or certificate; remove them");
      }
      return new IntrospectionConfig(this);
    }

    private static String nonEmptySecret(String secret, String key) {
      Objects.requireNonNull(secret, key);
      if (secret.isEmpty()) {
        throw new IllegalArgumentException(key + " must not be empty");
      }
      return secret;
    }

    private static PrivateKey readPrivateKey(Path file) {
      Objects.requireNonNull(file, "private-key");
      String text;
      try {
        text = Files.readString(file, StandardCharsets.US_ASCII);
      } catch (IOException e) {
        throw new IllegalArgumentException("private-key cannot be read: " + file);
      }
      Matcher m = PEM_KEY.matcher(text);
      if (!m.find()) {
        throw new IllegalArgumentException("private-key holds no PEM private key: " + file);
      }
      if (!m.group(1).isEmpty()) {
        throw new IllegalArgumentException("private-key must be unencrypted PKCS#8 (BEGIN PRIVATE KEY), found BEGIN "
            + m.group(1) + "PRIVATE KEY; convert it with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8: " + file);
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("private-key is not valid base64: " + file);
      }
      for (String algorithm : List.of("RSA", "EC")) {
        try {
          return checkedKey("private-key", KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der)));
        } catch (GeneralSecurityException e) {
          // try the next key type
        }
      }
      throw new IllegalArgumentException("private-key is neither an RSA nor an EC key: " + file);
    }

    private static PrivateKey checkedKey(String key, PrivateKey privateKey) {
      if (privateKey instanceof RSAPrivateKey && ((RSAPrivateKey) privateKey).getModulus().bitLength() < 2048) {
        throw new IllegalArgumentException(key + " is an RSA key shorter than 2048 bits");
      }
      if (!(privateKey instanceof RSAPrivateKey) && !(privateKey instanceof ECPrivateKey)) {
        throw new IllegalArgumentException(key + " must be an RSA or EC key, found " + privateKey.getAlgorithm());
      }
      return privateKey;
    }

    private static List<X509Certificate> readCertificates(String key, Path file) {
      Objects.requireNonNull(file, key);
      try (InputStream in = Files.newInputStream(file)) {
        List<X509Certificate> out = new ArrayList<>();
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          out.add((X509Certificate) c);
        }
        if (out.isEmpty()) {
          throw new IllegalArgumentException(key + " holds no certificate: " + file);
        }
        return List.copyOf(out);
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalArgumentException(key + " cannot be read as PEM certificates: " + file);
      }
    }

    private static URI httpUri(String key, String text) {
      Objects.requireNonNull(text, key);
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + " is not a URI: '" + text + "'");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
        throw new IllegalArgumentException(key + " must be an http(s) URL: '" + text + "'");
      }
      if (uri.getRawUserInfo() != null) {
        throw new IllegalArgumentException(key + " must not carry credentials in the URL");
      }
      return uri;
    }

    private static Duration positive(String key, Duration value) {
      Objects.requireNonNull(value, key);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(key + " must be positive: " + value);
      }
      return value;
    }

    private static Duration notNegative(String key, Duration value) {
      Objects.requireNonNull(value, key);
      if (value.isNegative()) {
        throw new IllegalArgumentException(key + " must not be negative: " + value);
      }
      return value;
    }
  }
}
