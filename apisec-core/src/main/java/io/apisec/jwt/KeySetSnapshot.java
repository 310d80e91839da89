package io.apisec.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The last good key set of one issuer as it was fetched: the public JWK set, when it was fetched,
 * and the lifetime the endpoint gave it. A node that starts while the identity provider is down
 * serves with it until {@code fetchedAt + lifetime + max-staleness}, exactly as if it had fetched
 * the set itself at {@code fetchedAt}. Immutable; holds public keys only.
 *
 * @param issuer the issuer the keys belong to; a snapshot is only ever restored for the same issuer
 * @param keys the JWK set as JSON, public members only
 * @param fetchedAt when the identity provider last served this set
 * @param lifetime how long the set was fresh from {@code fetchedAt} (its bounded Cache-Control max-age)
 */
public record KeySetSnapshot(String issuer, String keys, Instant fetchedAt, Duration lifetime) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT = 1;

  public KeySetSnapshot {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(fetchedAt, "fetchedAt");
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative()) {
      throw new IllegalArgumentException("lifetime must not be negative: " + lifetime);
    }
  }

  /** The snapshot as a self-describing JSON document, the format of files and Redis values. */
  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("issuer", issuer);
    root.put("fetched-at", fetchedAt.toString());
    root.put("lifetime-seconds", lifetime.toSeconds());
    try {
      root.set("keys", JSON.readTree(keys));
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("the key set of the snapshot is not JSON", e);
    }
  }

  /**
   * Reads a document written by {@link #toJson()}.
   *
   * @throws IllegalArgumentException when it is not one, naming what is wrong (never its content)
   */
  public static KeySetSnapshot fromJson(byte[] json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("the snapshot is not JSON");
    }
    if (root == null || !root.isObject() || root.path("format").asInt(-1) != FORMAT) {
      throw new IllegalArgumentException("the snapshot is not a key-set snapshot of format " + FORMAT);
    }
    JsonNode issuer = root.path("issuer");
    JsonNode keys = root.path("keys");
    JsonNode lifetime = root.path("lifetime-seconds");
    if (!issuer.isTextual() || !keys.isObject() || !lifetime.canConvertToLong() || !lifetime.isIntegralNumber()) {
      throw new IllegalArgumentException("the snapshot lacks its issuer, keys or lifetime");
    }
    Instant fetchedAt;
    try {
      fetchedAt = Instant.parse(root.path("fetched-at").asText(""));
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("the snapshot's fetched-at is not an instant");
    }
    try {
      return new KeySetSnapshot(issuer.asText(), keys.toString(), fetchedAt, Duration.ofSeconds(lifetime.asLong()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the snapshot's lifetime is invalid");
    }
  }

  @Override
  public String toString() {
    return "KeySetSnapshot[issuer=" + issuer + ", fetchedAt=" + fetchedAt + ", lifetime=" + lifetime + ']';
  }
}
