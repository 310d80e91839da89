package io.apisec.benchmarks;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Mints the key and the tokens of the gateway load test ({@code load/gateway-vs-haproxy.sh}): an
 * RSA-2048 key as a PEM public key (for HAProxy's {@code jwt_verify}) and as a JWKS (for the
 * gateway), one token for the repeated-token runs and a Lua table of distinct tokens for wrk's
 * rotating script. Tokens are RS256 with twelve claims, valid for two hours.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.apisec.benchmarks.LoadTokens DIR COUNT ISSUER
 * AUDIENCE}.
 */
public final class LoadTokens {
  private LoadTokens() {}

  public static void main(String[] args) throws IOException, JOSEException, NoSuchAlgorithmException {
    if (args.length != 4) {
      System.err.println("usage: LoadTokens DIR COUNT ISSUER AUDIENCE");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    String issuer = args[2];
    String audience = args[3];
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    RSAKey jwk = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).keyID("load-1").keyUse(KeyUse.SIGNATURE)
        .algorithm(JWSAlgorithm.RS256).build();
    Files.writeString(dir.resolve("jwks.json"), new JWKSet(jwk).toString());
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    Files.writeString(dir.resolve("jwt-public.pem"), pem);
    RSASSASigner signer = new RSASSASigner((RSAPrivateKey) pair.getPrivate());
    Files.writeString(dir.resolve("token.txt"), token(signer, issuer, audience, 0) + "\n");
    StringBuilder lua = new StringBuilder("return {\n");
    for (int i = 0; i < count; i++) {
      lua.append("  \"").append(token(signer, issuer, audience, i)).append("\",\n");
    }
    Files.writeString(dir.resolve("tokens.lua"), lua.append("}\n").toString());
  }

  private static String token(RSASSASigner signer, String issuer, String audience, int subject) throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(issuer)
        .subject("user-" + subject)
        .audience(audience)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(7200)))
        .jwtID(UUID.randomUUID().toString())
        .claim("client_id", "load-client")
        .claim("scope", "orders:read orders:write")
        .claim("name", "Load Test")
        .claim("email", "load@example.com")
        .claim("roles", List.of("buyer"))
        .claim("tenant", "eu-west-acme")
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("load-1")
        .type(new JOSEObjectType("at+jwt")).build(), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }
}
