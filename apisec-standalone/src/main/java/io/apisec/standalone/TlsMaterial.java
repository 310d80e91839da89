package io.apisec.standalone;

import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The server's TLS material read from PEM files, turned into Vert.x SSL options: TLS 1.3 and 1.2
 * with AEAD cipher suites only. Keys may be PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA
 * PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}); encrypted keys are refused. Immutable.
 */
final class TlsMaterial {
  /** AEAD suites only: no CBC, no RC4, no 3DES, no static RSA key exchange. */
  static final List<String> CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private final List<X509Certificate> chain;
  private final X509ExtendedKeyManager keyManager;
  private final X509ExtendedTrustManager trustManager;
  private final GatewayConfig.Https settings;

  private TlsMaterial(List<X509Certificate> chain, X509ExtendedKeyManager keyManager,
      X509ExtendedTrustManager trustManager, GatewayConfig.Https settings) {
    this.chain = List.copyOf(chain);
    this.keyManager = keyManager;
    this.trustManager = trustManager;
    this.settings = settings;
  }

  /** Reads the listener's files; throws IllegalArgumentException naming the file when one is bad. */
  static TlsMaterial load(GatewayConfig.Https https) {
    List<X509Certificate> chain = certificates(https.certificate());
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("no certificate in " + https.certificate());
    }
    PrivateKey key = privateKey(https.privateKey());
    List<X509Certificate> clientCas = List.of();
    if (https.clientCa() != null) {
      clientCas = certificates(https.clientCa());
      if (clientCas.isEmpty()) {
        throw new IllegalArgumentException("no certificate in " + https.clientCa());
      }
    }
    requireMatch(https, chain.get(0), key);
    return new TlsMaterial(chain, keyManager(https, chain, key), trustManager(clientCas), https);
  }

  /** Proves the key belongs to the certificate: a signature by one verifies with the other. */
  private static void requireMatch(GatewayConfig.Https https, X509Certificate certificate, PrivateKey key) {
    String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA"
        : key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm();
    try {
      byte[] probe = "apisec key check".getBytes(StandardCharsets.US_ASCII);
      java.security.Signature signer = java.security.Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new IllegalArgumentException("the private key " + https.privateKey()
            + " does not belong to the certificate " + https.certificate());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the private key " + https.privateKey()
          + " does not fit the certificate " + https.certificate() + ": " + e.getMessage(), e);
    }
  }

  List<X509Certificate> chain() {
    return chain;
  }

  X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  X509ExtendedTrustManager trustManager() {
    return trustManager;
  }

  GatewayConfig.Https settings() {
    return settings;
  }

  ClientAuth clientAuth() {
    switch (settings.clientAuth()) {
      case REQUIRED:
        return ClientAuth.REQUIRED;
      case OPTIONAL:
        return ClientAuth.REQUEST;
      default:
        return ClientAuth.NONE;
    }
  }

  /** OpenSSL (netty-tcnative) when it is on the class path, else the JDK's engine. */
  static SSLEngineOptions engine() {
    if (OpenSSLEngineOptions.isAvailable() && OpenSSLEngineOptions.isAlpnAvailable()) {
      return new OpenSSLEngineOptions();
    }
    return new JdkSSLEngineOptions();
  }

  static String engineName(SSLEngineOptions engine) {
    return engine instanceof OpenSSLEngineOptions ? "openssl" : "jdk";
  }

  private static X509ExtendedKeyManager keyManager(GatewayConfig.Https https, List<X509Certificate> chain, PrivateKey key) {
    // the in-memory key store never leaves the process; the password only satisfies the API
    char[] password = new char[] {'k'};
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
      KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      for (javax.net.ssl.KeyManager manager : factory.getKeyManagers()) {
        if (manager instanceof X509ExtendedKeyManager) {
          return (X509ExtendedKeyManager) manager;
        }
      }
      throw new IllegalStateException("the JDK offers no X509 key manager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the private key " + https.privateKey()
          + " does not fit the certificate " + https.certificate() + ": " + e.getMessage(), e);
    }
  }

  private static X509ExtendedTrustManager trustManager(List<X509Certificate> clientCas) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < clientCas.size(); i++) {
        store.setCertificateEntry("ca-" + i, clientCas.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (javax.net.ssl.TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager) {
          return (X509ExtendedTrustManager) manager;
        }
      }
      throw new IllegalStateException("the JDK offers no X509 trust manager");
    } catch (GeneralSecurityException | IOException e) {
      // an empty store is refused by PKIX: then nothing is trusted, which is what no client-ca means
      return new NothingTrusted();
    }
  }

  /** Trusts no client: the listener without client-ca. */
  private static final class NothingTrusted extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("no client CA is configured");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("no server is trusted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("no client CA is configured");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("no server is trusted");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("no client CA is configured");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("no server is trusted");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
      Object item;
      while ((item = pem.readObject()) != null) {
        if (item instanceof X509CertificateHolder) {
          out.add(converter.getCertificate((X509CertificateHolder) item));
        }
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read certificates from " + file + ": " + e.getMessage(), e);
    }
    return out;
  }

  static PrivateKey privateKey(Path file) {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
      Object item;
      while ((item = pem.readObject()) != null) {
        if (item instanceof PEMKeyPair) { // PKCS#1 RSA or SEC1 EC
          // the private key alone: a SEC1 key may omit its optional public key
          return converter.getPrivateKey(((PEMKeyPair) item).getPrivateKeyInfo());
        }
        if (item instanceof PrivateKeyInfo) { // PKCS#8
          return converter.getPrivateKey((PrivateKeyInfo) item);
        }
        if (item instanceof PEMEncryptedKeyPair || item instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IllegalArgumentException("the private key in " + file + " is encrypted; give an unencrypted key");
        }
      }
    } catch (IOException e) {
      // never echo the file's content: it holds a key
      throw new IllegalArgumentException("cannot read a private key from " + file + ": not valid PEM", e);
    }
    throw new IllegalArgumentException("no private key (PKCS#8, PKCS#1 or SEC1 PEM) in " + file);
  }
}
