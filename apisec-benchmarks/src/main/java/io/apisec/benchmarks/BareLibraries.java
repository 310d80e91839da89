package io.apisec.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.github.bucket4j.Bucket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The same work as apisec's stages done with the bare libraries, configured as a careful user
 * would configure them by hand: the baseline every ratio in BENCHMARKS.md divides by.
 *
 * <p>Thread-safe once built (nimbus' processor, networknt's schema, Jackson's mapper, bucket4j's
 * bucket and Caffeine's cache all are).
 */
final class BareLibraries {
  static final int BUCKET_KEYS = 100_000;

  final DefaultJWTProcessor<SecurityContext> nimbus = new DefaultJWTProcessor<>();
  final ObjectMapper jackson = new ObjectMapper();
  final JsonSchema schema;
  final Bucket bucket = newBucket();
  final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(2L * BUCKET_KEYS).build();
  final String[] bucketKeys = new String[BUCKET_KEYS];
  final Cache<String, Object> verified = Caffeine.newBuilder().maximumSize(10_000).build();

  BareLibraries(Fixture fixture) {
    try {
      JWKSet keys = JWKSet.parse(Map.of("keys", List.of(fixture.rsa.jwk(), fixture.ec.jwk())));
      nimbus.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(new JOSEObjectType("at+jwt")));
      nimbus.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
          new ImmutableJWKSet<>(keys)));
      nimbus.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(new HashSet<>(List.of("api")),
          new JWTClaimsSet.Builder().issuer(fixture.issuer.issuer()).build(), Set.of("exp", "sub"), null));
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(Fixture.SCHEMA, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
    for (int i = 0; i < BUCKET_KEYS; i++) {
      bucketKeys[i] = "sub:user-" + i;
      buckets.put(bucketKeys[i], newBucket());
    }
  }

  static Bucket newBucket() {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(1_000_000_000L).refillGreedy(1_000_000_000L, Duration.ofSeconds(1)))
        .build();
  }

  /** nimbus {@code DefaultJWTProcessor}: parse, select the key, verify, check typ, iss, aud, exp. */
  JWTClaimsSet verify(String token) {
    try {
      return nimbus.process(token, null);
    } catch (Exception e) {
      throw new IllegalStateException("nimbus refused a valid token: " + e.getMessage(), e);
    }
  }

  /** Jackson parse of the body and networknt validation, as the stage does. */
  Set<ValidationMessage> validate(byte[] body) {
    try {
      JsonNode tree = jackson.readTree(body);
      return schema.validate(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A bucket looked up among {@link #BUCKET_KEYS} in Caffeine, then one token taken. */
  boolean consumeAmongMany() {
    String key = bucketKeys[ThreadLocalRandom.current().nextInt(BUCKET_KEYS)];
    return buckets.get(key, k -> newBucket()).tryConsume(1);
  }

  /** What a hand-made verified-token cache costs on a hit: SHA-256 of the token, then a Caffeine get. */
  Object cachedToken(String token) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
      String key = java.util.Base64.getEncoder().encodeToString(hash);
      return verified.get(key, k -> Boolean.TRUE);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
