package io.apisec.standalone;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development PKI, the equivalent of the usual openssl recipe: a CA, a server certificate for
 * {@code localhost} and {@code 127.0.0.1}, and a client certificate, as PEM files (EC P-256 keys,
 * PKCS#8). For development and demos only. Stateless.
 */
final class DevPki {
  static final String CA = "ca.pem";
  static final String CA_KEY = "ca-key.pem";
  static final String SERVER = "server.pem";
  static final String SERVER_KEY = "server-key.pem";
  static final String CLIENT = "client.pem";
  static final String CLIENT_KEY = "client-key.pem";

  private static final SecureRandom RANDOM = new SecureRandom();

  private DevPki() {}

  /** A certificate with its key. */
  record Issued(X509Certificate certificate, KeyPair keys) {}

  /** Writes the CA, server and client files into {@code dir} (created if needed); returns {@code dir}. */
  static Path write(Path dir, String clientName, Duration validity) {
    try {
      Files.createDirectories(dir);
      Issued ca = ca("CN=apisec development CA", validity);
      Issued server = server(ca, validity);
      Issued client = client(ca, "CN=" + clientName + ",O=apisec development", validity);
      writePem(dir.resolve(CA), ca.certificate());
      writeKey(dir.resolve(CA_KEY), ca.keys());
      writePem(dir.resolve(SERVER), server.certificate());
      writeKey(dir.resolve(SERVER_KEY), server.keys());
      writePem(dir.resolve(CLIENT), client.certificate());
      writeKey(dir.resolve(CLIENT_KEY), client.keys());
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KeyPair ecKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static Issued ca(String subject, Duration validity) {
    KeyPair keys = ecKeys();
    X509v3CertificateBuilder builder = builder(new X500Name(subject), new X500Name(subject), keys, validity);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return new Issued(sign(builder, keys), keys);
  }

  static Issued server(Issued ca, Duration validity) {
    KeyPair keys = ecKeys();
    X509v3CertificateBuilder builder = builder(
        X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
        new X500Name("CN=localhost"), keys, validity);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.iPAddress, "::1")}));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return new Issued(sign(builder, ca.keys()), keys);
  }

  static Issued client(Issued ca, String subject, Duration validity) {
    KeyPair keys = ecKeys();
    X509v3CertificateBuilder builder = builder(
        X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
        new X500Name(subject), keys, validity);
    try {
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      builder.addExtension(Extension.authorityKeyIdentifier, false,
          new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.certificate()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return new Issued(sign(builder, ca.keys()), keys);
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(63, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, keys.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys) {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  static void writePem(Path file, Object... objects) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        pem.writeObject(object);
      }
    }
    Files.writeString(file, text.toString(), StandardCharsets.US_ASCII);
  }

  /** Writes the private key as PKCS#8 ({@code PRIVATE KEY}), readable by curl, openssl and the JDK. */
  static void writeKey(Path file, KeyPair keys) throws IOException {
    writePem(file, new JcaPKCS8Generator(keys.getPrivate(), null).generate());
    try {
      Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // best effort on file systems without POSIX permissions
    }
  }
}
