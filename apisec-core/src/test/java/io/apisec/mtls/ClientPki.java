package io.apisec.mtls;

import io.apisec.testing.TestPki;
import io.apisec.testing.TestPki.Issued;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The client PKI the mTLS tests share: a root and an intermediate CA, an untrusted CA, and one
 * leaf for each case, generated once (EC keys keep it fast) and written as PEM files.
 */
final class ClientPki {
  static final Instant NOW = Instant.now();
  static final ClientPki INSTANCE = new ClientPki();

  final Issued root = TestPki.rootCa("Test Root");
  final Issued intermediate = TestPki.spec("Test Intermediate").ca().issuedBy(root);
  final Issued untrustedCa = TestPki.rootCa("Untrusted CA");
  final Issued valid = TestPki.spec("orders-1").organization("Acme").clientAuth()
      .dns("orders-1.example.com").email("ops@example.com").issuedBy(intermediate);
  final Issued direct = TestPki.spec("billing").organization("Acme").clientAuth().issuedBy(root);
  final Issued expired = TestPki.spec("expired").clientAuth()
      .validity(NOW.minus(Duration.ofDays(30)), NOW.minus(Duration.ofDays(1))).issuedBy(intermediate);
  final Issued notYetValid = TestPki.spec("future").clientAuth()
      .validity(NOW.plus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(30))).issuedBy(intermediate);
  final Issued selfSigned = TestPki.spec("self").clientAuth().selfSigned();
  final Issued serverOnly = TestPki.spec("server-only").serverAuth().issuedBy(intermediate);
  final Issued caLeaf = TestPki.spec("ca-leaf").ca().clientAuth().issuedBy(intermediate);
  final Issued revoked = TestPki.spec("revoked").clientAuth().issuedBy(intermediate);
  final Issued spiffe = TestPki.spec("workload").clientAuth()
      .uri("spiffe://example.org/ns/orders/sa/api").issuedBy(intermediate);
  final Issued untrusted = TestPki.spec("intruder").clientAuth().issuedBy(untrustedCa);

  final Path directory;
  final Path rootPem;
  final Path intermediatePem;
  final Path untrustedCaPem;
  final Path crlPem;

  private ClientPki() {
    try {
      directory = Files.createTempDirectory("apisec-mtls");
      rootPem = TestPki.writePem(directory.resolve("root.pem"), root.certificate());
      intermediatePem = TestPki.writePem(directory.resolve("intermediate.pem"), intermediate.certificate());
      untrustedCaPem = TestPki.writePem(directory.resolve("untrusted-ca.pem"), untrustedCa.certificate());
      crlPem = TestPki.writePem(directory.resolve("intermediate.crl"),
          TestPki.crl(intermediate, NOW.minus(Duration.ofMinutes(5)), revoked.certificate()));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The chain a client sends: leaf and intermediates, without the root. */
  static List<X509Certificate> sent(Issued leaf) {
    X509Certificate[] full = leaf.fullChain();
    return full.length == 1 ? List.of(full) : List.of(full).subList(0, full.length - 1);
  }
}
