package io.apisec.jwt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A compact JWS split and decoded, before any verification: header and claims as plain values.
 * Duplicate member names in the header or the payload are refused (a verifier and an application
 * must never disagree on which duplicate wins). Immutable.
 */
final class ParsedToken {
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(32).maxStringLength(64 * 1024).maxNumberLength(64).build())
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};

  final Map<String, Object> header;
  final Map<String, Object> claims;
  final byte[] signingInput;
  final byte[] signature;
  /** The signature as the token carries it (base64url), handed to nimbus as is instead of re-encoded. */
  final String encodedSignature;

  private ParsedToken(Map<String, Object> header, Map<String, Object> claims, byte[] signingInput, byte[] signature,
      String encodedSignature) {
    this.header = header;
    this.claims = claims;
    this.signingInput = signingInput;
    this.signature = signature;
    this.encodedSignature = encodedSignature;
  }

  /** The parsed token, or a String saying why it is malformed (never echoing it). */
  static Object parse(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
      return "The token is not a compact JWS (three dot-separated parts)";
    }
    if (second == first + 1) {
      return "The token has an empty payload";
    }
    if (second == token.length() - 1) {
      return "The token has no signature";
    }
    if (!base64url(token)) {
      return "The token holds characters outside base64url";
    }
    Base64.Decoder decoder = Base64.getUrlDecoder();
    Map<String, Object> header;
    Map<String, Object> claims;
    byte[] signature;
    String encodedSignature = token.substring(second + 1);
    try {
      header = JSON.readValue(decoder.decode(token.substring(0, first)), OBJECT);
    } catch (IOException | IllegalArgumentException e) {
      return "The token's header is not a JSON object with unique member names";
    }
    try {
      claims = JSON.readValue(decoder.decode(token.substring(first + 1, second)), OBJECT);
    } catch (IOException | IllegalArgumentException e) {
      return "The token's payload is not a JSON object with unique claim names";
    }
    try {
      signature = decoder.decode(encodedSignature);
    } catch (IllegalArgumentException e) {
      return "The token's signature is not base64url";
    }
    if (header == null || claims == null) {
      return "The token's header or payload is null";
    }
    byte[] signingInput = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
    return new ParsedToken(header, claims, signingInput, signature, encodedSignature);
  }

  private static boolean base64url(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
          || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** A header parameter as a string, or null when absent or not a string. */
  String headerString(String name) {
    Object value = header.get(name);
    return value instanceof String ? (String) value : null;
  }

  /** A claim as a string, or null when absent or not a string. */
  String claimString(String name) {
    Object value = claims.get(name);
    return value instanceof String ? (String) value : null;
  }
}
