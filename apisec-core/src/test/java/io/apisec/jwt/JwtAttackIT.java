package io.apisec.jwt;

import static io.apisec.jwt.JwtFixture.assertAllowed;
import static io.apisec.jwt.JwtFixture.assertDenied;
import static io.apisec.jwt.JwtFixture.decide;
import static org.assertj.core.api.Assertions.assertThat;

import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.Decision;
import io.apisec.DenyReason;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.JwtConfig;
import io.apisec.testing.MutableClock;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forged, confused and malformed tokens against a real JWKS endpoint: each is refused with the
 * right reason and a detail that never echoes the token; the valid algorithms are accepted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JwtAttackIT {
  private static final Instant START = Instant.parse("2026-11-22T12:00:00Z");
  private final MutableClock clock = new MutableClock(START);
  private TestIssuer idp;
  private TestIssuer other;
  private TestKey rs256;
  private TestKey ps256;
  private TestKey es256;
  private TestKey es384;
  private TestKey ed25519;
  private TestKey weak;
  private TestKey otherKey;
  private TestKey encryptionKey;
  private TestKey psOnlyKey;
  private ApiSecurity security;

  @BeforeAll
  void startIssuers() {
    idp = TestIssuer.start(clock);
    other = TestIssuer.start(clock);
    rs256 = TestKey.rsa("rs-1");
    ps256 = TestKey.rsa("ps-1", 2048, "PS256");
    es256 = TestKey.ec("es-1", "ES256");
    es384 = TestKey.ec("es-2", "ES384");
    ed25519 = TestKey.ed25519("ed-1");
    weak = TestKey.rsa("weak-1", 1024, "RS256");
    otherKey = TestKey.rsa("other-1");
    encryptionKey = TestKey.rsa("enc-1");
    psOnlyKey = TestKey.rsa("ps-only-1");
    idp.publishJwks(List.of(rs256.jwk(), ps256.jwk(), es256.jwk(), es384.jwk(), ed25519.jwk(), weak.jwk(),
        encryptionKey.jwkWith("use", "enc"), psOnlyKey.jwkWith("alg", "PS256")));
    other.publish(otherKey);
    JwtConfig jwt = JwtConfig.builder()
        .issuer(JwtConfig.Issuer.builder(idp.issuer())
            .jwksUri(idp.jwksUri())
            .audiences("api")
            .algorithms("RS256", "PS256", "ES256", "ES384", "EdDSA")
            .type("at+jwt")
            .maxTokenSize(4096)
            .maxLifetime(Duration.ofHours(1))
            .build())
        .issuer(JwtConfig.Issuer.builder(other.issuer())
            .discovery(other.discoveryUri())
            .audiences("api")
            .algorithms("RS256")
            .build())
        .build();
    ApiSecurityConfig config = ApiSecurityConfig.builder()
        .jwt(jwt)
        .route(Route.builder("GET /orders").auth(AuthMode.JWT).build())
        .build();
    security = ApiSecurity.builder(config).clock(clock).auditToSystemLogger(false).build();
    TestIssuer.await(() -> security.health().ready(), "both key sets to load");
  }

  @AfterAll
  void stop() {
    security.close();
    idp.close();
    other.close();
  }

  @BeforeEach
  void resetClock() {
    clock.set(START);
  }

  private Decision send(String token) {
    return decide(security, "/orders", token);
  }

  private void assertInvalid(String token, String detail) {
    Decision.Deny deny = assertDenied(send(token), DenyReason.INVALID_TOKEN, detail, token);
    assertThat(deny.status()).isEqualTo(401);
  }

  @Test
  void validTokensOfEveryAsymmetricAlgorithmAreAccepted() {
    for (TestKey key : List.of(rs256, ps256, es256, es384, ed25519)) {
      Decision.Allow allow = assertAllowed(send(idp.token(key).sign()));
      assertThat(allow.identity().claims()).isPresent();
      assertThat(allow.identity().principalName()).contains("alice");
    }
  }

  @Test
  void tokenOfTheSecondIssuerFoundThroughDiscoveryIsAccepted() {
    assertAllowed(send(other.token(otherKey).header("typ", "JWT").sign()));
    assertThat(other.discoveryFetches()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void algNoneInAnyCaseIsRefused(String none) {
    String signed = idp.token(rs256).header("alg", none).sign();
    String unsigned = signed.substring(0, signed.lastIndexOf('.') + 1);
    assertInvalid(unsigned, "no signature");
    String withSignature = idp.token(rs256).sign();
    String header = b64("{\"alg\":\"" + none + "\",\"kid\":\"rs-1\",\"typ\":\"at+jwt\"}");
    String forged = header + withSignature.substring(withSignature.indexOf('.'));
    assertInvalid(forged, "not signed");
  }

  @Test
  void hs256SignedWithTheRsaPublicKeyIsRefused() {
    String token = idp.hmacToken(rs256.pair().getPublic().getEncoded()).header("kid", "rs-1").sign();
    assertInvalid(token, "algorithm is not accepted");
  }

  @Test
  void flippedTruncatedAndStrippedSignaturesAreRefused() {
    String token = idp.token(rs256).sign();
    int dot = token.lastIndexOf('.');
    byte[] signature = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    signature[10] ^= 0x01;
    assertInvalid(token.substring(0, dot + 1) + Base64.getUrlEncoder().withoutPadding().encodeToString(signature),
        "signature is invalid");
    assertInvalid(token.substring(0, token.length() - 12), "signature is invalid");
    assertInvalid(token.substring(0, dot + 1), "no signature");
    assertInvalid(token.substring(0, dot), "not a compact JWS");
  }

  @Test
  void attackerKeyWithAKnownKidIsRefused() {
    TestKey attacker = TestKey.rsa("rs-1");
    assertInvalid(idp.token(attacker).sign(), "signature is invalid");
  }

  @Test
  void keysInJkuX5uJwkAndX5cHeadersAreNeverUsed() {
    TestKey attacker = TestKey.rsa("attacker-1");
    String token = idp.token(attacker)
        .header("jwk", attacker.jwk())
        .header("jku", other.jwksUri())
        .header("x5u", "http://127.0.0.1:1/cert.pem")
        .header("x5c", List.of("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"))
        .sign();
    assertInvalid(token, "key id is unknown");
    String knownKid = idp.token(attacker).header("kid", "rs-1").header("jwk", attacker.jwk()).sign();
    assertInvalid(knownKid, "signature is invalid");
  }

  @Test
  void expiryAndNotBeforeHonourTheClockSkew() {
    assertInvalid(idp.token(es256).claim("exp", START.minusSeconds(61).getEpochSecond()).sign(), "expired");
    assertAllowed(send(idp.token(es256).claim("exp", START.minusSeconds(30).getEpochSecond()).sign()));
    assertInvalid(idp.token(es256).claim("nbf", START.plusSeconds(61).getEpochSecond()).sign(), "not valid yet");
    assertAllowed(send(idp.token(es256).claim("nbf", START.plusSeconds(30).getEpochSecond()).sign()));
    assertInvalid(idp.token(es256).claim("iat", START.plusSeconds(120).getEpochSecond()).sign(), "issued in the future");
  }

  @Test
  void missingOrNonNumericExpIsRefused() {
    assertInvalid(idp.token(rs256).claim("exp", null).sign(), "no exp");
    assertInvalid(idp.token(rs256).claim("exp", "tomorrow").sign(), "not a valid time");
  }

  @Test
  void lifetimeBeyondTheIssuersMaximumIsRefused() {
    assertInvalid(idp.token(rs256).expiresIn(Duration.ofHours(2)).sign(), "lifetime exceeds");
  }

  @Test
  void wrongIssuerOrAudienceIsRefused() {
    assertInvalid(idp.token(rs256).claim("iss", "https://evil.example/").sign(), "issuer is not accepted");
    assertInvalid(idp.token(rs256).claim("iss", null).sign(), "no issuer");
    assertInvalid(idp.token(rs256).claim("aud", "other-api").sign(), "audience is not accepted");
    assertInvalid(idp.token(rs256).claim("aud", List.of("x", "y")).sign(), "audience is not accepted");
    assertAllowed(send(idp.token(rs256).claim("aud", List.of("x", "api")).sign()));
  }

  @Test
  void aTokenCannotBeVerifiedWithAnotherIssuersKey() {
    int before = idp.jwksFetches();
    String token = idp.token(otherKey).sign(); // iss of idp, kid and signature of the other issuer
    assertInvalid(token, "key id is unknown");
    String reverse = other.token(rs256).header("typ", "JWT").sign();
    Decision decision = send(reverse);
    assertThat(((Decision.Deny) decision).reason()).isEqualTo(DenyReason.INVALID_TOKEN);
    assertThat(idp.jwksFetches() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void unknownCriticalHeaderIsRefused() {
    assertInvalid(idp.token(rs256).header("crit", List.of("exp")).header("exp", 1).sign(), "critical header");
  }

  @Test
  void wrongTypIsRefusedAndTheMediaTypeFormIsAccepted() {
    assertInvalid(idp.token(rs256).header("typ", "JWT").sign(), "typ");
    assertInvalid(idp.token(rs256).header("typ", null).sign(), "typ");
    assertAllowed(send(idp.token(rs256).header("typ", "application/at+jwt").sign()));
  }

  @Test
  void oversizedTokensAreRefused() {
    String big = idp.token(rs256).claim("padding", "x".repeat(5000)).sign();
    assertInvalid(big, "larger than");
    String huge = idp.token(rs256).claim("padding", "x".repeat(9000)).sign();
    assertInvalid(huge, "larger than");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "a.b.c", "..", "a..c", "e30.e30.", "!!!.e30.e30", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
      "W10.e30.c2ln", "e30.W10.c2ln"})
  void malformedTokensAreRefusedAsInvalidTokens(String token) {
    Decision decision = send(token);
    assertThat(decision).isInstanceOf(Decision.Deny.class);
    assertThat(((Decision.Deny) decision).reason()).isIn(DenyReason.INVALID_TOKEN, DenyReason.INVALID_AUTHORIZATION);
  }

  @Test
  void duplicateClaimOrHeaderNamesAreRefused() {
    long now = START.getEpochSecond();
    String payload = "{\"iss\":\"" + idp.issuer() + "\",\"sub\":\"alice\",\"sub\":\"admin\",\"aud\":\"api\",\"exp\":"
        + (now + 300) + "}";
    assertInvalid(idp.token(rs256).rawPayload(payload).sign(), "unique claim names");
    String header = "{\"alg\":\"RS256\",\"kid\":\"rs-1\",\"typ\":\"at+jwt\",\"alg\":\"none\"}";
    assertInvalid(idp.token(rs256).rawHeader(header).sign(), "unique member names");
  }

  @Test
  void keysWhoseUseOrAlgDoNotFitAreNotUsed() {
    assertInvalid(idp.token(encryptionKey).sign(), "its use is not 'sig'");
    assertInvalid(idp.token(psOnlyKey).sign(), "does not fit its algorithm");
    assertAllowed(send(idp.token(psOnlyKey).header("alg", "PS256").sign()));
  }

  @Test
  void aShortRsaKeyInTheJwksIsRefused() {
    assertInvalid(idp.token(weak).sign(), "shorter than 2048 bits");
  }

  @Test
  void ecdsaSignatureWithRAndSZeroIsRefused() {
    String token = idp.token(es256).sign();
    String zero = token.substring(0, token.lastIndexOf('.') + 1)
        + Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
    assertInvalid(zero, "signature is invalid");
  }

  @Test
  void keyOfTheWrongTypeForTheAlgorithmIsRefused() {
    assertInvalid(idp.token(es256).header("kid", "rs-1").sign(), "does not fit its algorithm");
  }

  @Test
  void algorithmNotInTheIssuersListIsRefusedEvenWithAFittingKey() {
    TestKey rs512 = TestKey.rsa("rs-1", 2048, "RS512").withKid("rs-1");
    assertInvalid(idp.token(rs512).sign(), "algorithm is not accepted");
  }

  private static String b64(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
