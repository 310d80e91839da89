package io.apisec.benchmarks;

import com.nimbusds.jose.crypto.impl.ECDSA;
import io.apisec.ApiSecurity;
import io.apisec.Decision;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * ES256 and EdDSA verification by JCA provider (issue 9, target T3): the JDK's own, BouncyCastle,
 * and Conscrypt (BoringSSL behind the JCA API). {@code rawSignature} verifies one token's signature
 * with {@code Signature.getInstance(alg, provider)}; {@code apisecStage} sends cold tokens through
 * the JWT stage with the provider registered first, which is what the stage's unqualified {@code
 * Signature.getInstance} then picks. Each provider runs in its own fork, so registering one never
 * leaks into another's figures.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public abstract class ProviderBenchmark {
  private String alg;
  private String provider;
  private Provider jca;
  private Fixture fixture;
  private ApiSecurity security;
  private TokenPool tokens;
  private PublicKey key;
  private byte[] signingInput;
  private byte[] signature;
  private String jcaAlgorithm;

  /** ES256 with each provider; Conscrypt's verifier is BoringSSL's. */
  @State(Scope.Benchmark)
  public static class Es256 extends ProviderBenchmark {
    @Param({"JDK", "BC", "Conscrypt"})
    String provider;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start("ES256", provider);
    }
  }

  /** EdDSA (Ed25519) with each provider that has it: Conscrypt 2.5.2 offers no Ed25519 signature. */
  @State(Scope.Benchmark)
  public static class EdDsa extends ProviderBenchmark {
    @Param({"JDK", "BC"})
    String provider;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
      start("EdDSA", provider);
    }
  }

  void start(String algorithm, String providerName) throws Exception {
    this.alg = algorithm;
    this.provider = providerName;
    jca = provider(provider);
    jcaAlgorithm = alg.equals("ES256") ? "SHA256withECDSA" : "Ed25519";
    if (jca.getService("Signature", jcaAlgorithm) == null) {
      throw new IllegalStateException(provider + " (" + jca.getName() + " " + jca.getVersionStr()
          + ") offers no Signature." + jcaAlgorithm + ": not measurable");
    }
    if (!provider.equals("JDK")) {
      Security.insertProviderAt(jca, 1);
    }
    fixture = new Fixture();
    security = fixture.security(Bench.COLD_CACHE);
    tokens = TokenPool.of(fixture, alg, "cold");
    String token = fixture.token(alg);
    int lastDot = token.lastIndexOf('.');
    signingInput = token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
    byte[] jose = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
    signature = alg.equals("ES256") ? ECDSA.transcodeSignatureToDER(jose) : jose;
    key = fixture.key(alg).pair().getPublic();
    if (!rawSignature()) {
      throw new IllegalStateException(provider + " does not verify a valid " + alg + " signature");
    }
    Fixture.requireAllowed(apisecStage(), "GET /jwt with " + alg + " via " + provider);
  }

  static Provider provider(String name) throws ReflectiveOperationException {
    switch (name) {
      case "JDK":
        return Security.getProvider("SunEC");
      case "BC":
        return new BouncyCastleProvider();
      case "Conscrypt":
        // by reflection, so that a platform without Conscrypt's native library fails here with its reason
        return (Provider) Class.forName("org.conscrypt.Conscrypt").getMethod("newProvider").invoke(null);
      default:
        throw new IllegalArgumentException("unknown provider " + name);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    security.close();
    fixture.close();
  }

  @Benchmark
  public boolean rawSignature() throws GeneralSecurityException {
    Signature verifier = Signature.getInstance(jcaAlgorithm, jca);
    verifier.initVerify(key);
    verifier.update(signingInput);
    return verifier.verify(signature);
  }

  @Benchmark
  public Decision apisecStage() {
    return Bench.evaluate(security, fixture.request("GET", "/jwt", tokens.next(), true, null));
  }
}
