package io.apisec.testing;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates the certificates tests need, with BouncyCastle: CAs, intermediates, client and server
 * leaves with chosen validity, key usages and subject alternative names. EC P-256 keys keep
 * generation fast.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private static final char[] PASSWORD = "changeit".toCharArray();

  private TestPki() {}

  /** A certificate with its private key and the chain above it (leaf first, root last). */
  public record Issued(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {
    /** Leaf first, including this certificate. */
    public X509Certificate[] fullChain() {
      List<X509Certificate> all = new ArrayList<>();
      all.add(certificate);
      all.addAll(chain);
      return all.toArray(new X509Certificate[0]);
    }

    /** A PKCS#12 key store holding this key and chain under alias {@code key}, password {@code changeit}. */
    public KeyStore keyStore() {
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("key", key, PASSWORD, fullChain());
        return store;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** Writes the key store to {@code file} (password {@code changeit}). */
    public Path writeKeyStore(Path file) {
      try (var out = Files.newOutputStream(file)) {
        keyStore().store(out, PASSWORD);
        return file;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    public String certificatePem() {
      return pem(fullChain());
    }

    public String keyPem() {
      return pem(key);
    }
  }

  public static String password() {
    return new String(PASSWORD);
  }

  /** Starts a certificate. */
  public static Spec spec(String commonName) {
    return new Spec(commonName);
  }

  /** A self-signed root CA. */
  public static Issued rootCa(String commonName) {
    return spec(commonName).ca().selfSigned();
  }

  /** A key store trusting {@code anchors}. */
  public static KeyStore trustStore(X509Certificate... anchors) {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < anchors.length; i++) {
        store.setCertificateEntry("ca" + i, anchors[i]);
      }
      return store;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client SSLContext presenting {@code client} (may be null) and trusting {@code serverCa}. */
  public static SSLContext clientContext(Issued client, X509Certificate serverCa) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManagerFactory kmf = null;
      if (client != null) {
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(client.keyStore(), PASSWORD);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore(serverCa));
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        writer.writeObject(o);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  public static Path writePem(Path file, Object... objects) {
    try {
      Files.writeString(file, pem(objects), StandardCharsets.US_ASCII);
      return file;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ecKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a certificate should look like. */
  public static final class Spec {
    private final String commonName;
    private String organization;
    private boolean ca;
    private Integer pathLength;
    private boolean clientAuth;
    private boolean serverAuth;
    private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
    private Instant notAfter = Instant.now().plus(Duration.ofDays(30));
    private final List<GeneralName> sans = new ArrayList<>();
    private KeyPair keyPair;
    private String ocspUrl;
    private boolean ocspSigning;

    private Spec(String commonName) {
      this.commonName = commonName;
    }

    public Spec organization(String o) {
      this.organization = o;
      return this;
    }

    public Spec ca() {
      this.ca = true;
      return this;
    }

    public Spec pathLength(int length) {
      this.pathLength = length;
      return this;
    }

    public Spec clientAuth() {
      this.clientAuth = true;
      return this;
    }

    public Spec serverAuth() {
      this.serverAuth = true;
      return this;
    }

    public Spec validity(Instant from, Instant to) {
      this.notBefore = from;
      this.notAfter = to;
      return this;
    }

    public Spec dns(String name) {
      sans.add(new GeneralName(GeneralName.dNSName, name));
      return this;
    }

    public Spec uri(String uri) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
      return this;
    }

    public Spec email(String email) {
      sans.add(new GeneralName(GeneralName.rfc822Name, email));
      return this;
    }

    public Spec ip(String ip) {
      sans.add(new GeneralName(GeneralName.iPAddress, ip));
      return this;
    }

    /** Names {@code url} as the OCSP responder in the authority information access extension. */
    public Spec ocspUrl(String url) {
      this.ocspUrl = url;
      return this;
    }

    /** Adds the {@code id-kp-OCSPSigning} extended key usage (a delegated OCSP responder). */
    public Spec ocspSigning() {
      this.ocspSigning = true;
      return this;
    }

    public Spec keyPair(KeyPair keyPair) {
      this.keyPair = keyPair;
      return this;
    }

    public Issued selfSigned() {
      KeyPair pair = keyPair != null ? keyPair : ecKeyPair();
      return build(pair, pair.getPrivate(), null, List.of());
    }

    public Issued issuedBy(Issued issuer) {
      KeyPair pair = keyPair != null ? keyPair : ecKeyPair();
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(issuer.certificate());
      chain.addAll(issuer.chain());
      return build(pair, issuer.key(), issuer.certificate(), chain);
    }

    private Issued build(KeyPair pair, PrivateKey signer, X509Certificate issuer, List<X509Certificate> chain) {
      try {
        String dn = "CN=" + commonName + (organization == null ? "" : ",O=" + organization);
        X500Name subject = new X500Name(dn);
        X500Name issuerName = issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            issuerName, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
            subject, pair.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(pair.getPublic()));
        if (issuer != null) {
          builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
        }
        if (ca) {
          builder.addExtension(Extension.basicConstraints, true,
              pathLength == null ? new BasicConstraints(true) : new BasicConstraints(pathLength));
          builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
          builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
          builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        }
        List<KeyPurposeId> purposes = new ArrayList<>();
        if (clientAuth) {
          purposes.add(KeyPurposeId.id_kp_clientAuth);
        }
        if (serverAuth) {
          purposes.add(KeyPurposeId.id_kp_serverAuth);
        }
        if (ocspSigning) {
          purposes.add(KeyPurposeId.id_kp_OCSPSigning);
        }
        if (ocspUrl != null) {
          builder.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
              AccessDescription.id_ad_ocsp,
              new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl)));
        }
        if (!purposes.isEmpty()) {
          builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])));
        }
        if (!sans.isEmpty()) {
          builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        }
        String algorithm = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        X509Certificate certificate = new JcaX509CertificateConverter()
            .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
        return new Issued(certificate, pair.getPrivate(), List.copyOf(chain));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * A CRL signed by {@code issuer} revoking {@code revoked} (revocation time one minute before
   * {@code thisUpdate}), valid from {@code thisUpdate} for a week.
   */
  public static X509CRL crl(Issued issuer, Instant thisUpdate, X509Certificate... revoked) {
    try {
      X509v2CRLBuilder builder = new X509v2CRLBuilder(
          X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded()), Date.from(thisUpdate));
      builder.setNextUpdate(Date.from(thisUpdate.plus(Duration.ofDays(7))));
      for (X509Certificate certificate : revoked) {
        builder.addCRLEntry(certificate.getSerialNumber(), Date.from(thisUpdate.minus(Duration.ofMinutes(1))),
            CRLReason.keyCompromise);
      }
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(issuer.certificate()));
      String algorithm = issuer.key().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return new JcaX509CRLConverter().getCRL(builder.build(new JcaContentSignerBuilder(algorithm).build(issuer.key())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A CRL signed by {@code issuer} revoking {@code revoked}, issued now. */
  public static X509CRL crl(Issued issuer, X509Certificate... revoked) {
    return crl(issuer, Instant.now(), revoked);
  }

  /** A server certificate for {@code localhost} and 127.0.0.1 issued by {@code ca}. */
  public static Issued localhostServer(Issued ca) {
    return spec("localhost").serverAuth().dns("localhost").ip("127.0.0.1").issuedBy(ca);
  }

}
