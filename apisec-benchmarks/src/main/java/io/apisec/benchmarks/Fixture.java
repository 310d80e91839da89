package io.apisec.benchmarks;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.TlsInfo;
import io.apisec.config.ApiSecurityConfig;
import io.apisec.config.ConfigLoader;
import io.apisec.testing.TestIssuer;
import io.apisec.testing.TestKey;
import io.apisec.testing.TestPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The realistic request every suite measures, and the apisec instance it goes through.
 *
 * <p>A JWKS endpoint on loopback publishing an RSA-2048, a P-256 and an Ed25519 key; tokens of
 * twelve claims; a client certificate issued by a test CA; a 1 KB JSON order body with its draft
 * 2020-12 schema (formats asserted); a local token bucket per subject sized never to refuse. One
 * route per stage alone, and the {@code POST /orders} route with all of them. Not thread-safe
 * while being built; {@link #request} may be called from any thread afterwards.
 */
final class Fixture implements AutoCloseable {
  static final String SCHEMA = """
      {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["orderId", "customer", "items", "currency", "createdAt"],
        "additionalProperties": false,
        "properties": {
          "orderId": { "type": "string", "format": "uuid" },
          "customer": {
            "type": "object",
            "required": ["id", "email", "name"],
            "additionalProperties": false,
            "properties": {
              "id": { "type": "string", "pattern": "^c-[0-9]{6}$" },
              "email": { "type": "string", "format": "email" },
              "name": { "type": "string", "maxLength": 100 },
              "vip": { "type": "boolean" }
            }
          },
          "items": {
            "type": "array", "minItems": 1, "maxItems": 50,
            "items": {
              "type": "object",
              "required": ["sku", "quantity", "unitPrice"],
              "additionalProperties": false,
              "properties": {
                "sku": { "type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$" },
                "quantity": { "type": "integer", "minimum": 1, "maximum": 1000 },
                "unitPrice": { "type": "number", "exclusiveMinimum": 0 },
                "note": { "type": "string", "maxLength": 200 }
              }
            }
          },
          "currency": { "enum": ["EUR", "USD", "GBP"] },
          "shipping": {
            "type": "object",
            "properties": {
              "street": { "type": "string" }, "city": { "type": "string" },
              "postcode": { "type": "string", "maxLength": 12 }, "country": { "type": "string", "pattern": "^[A-Z]{2}$" }
            }
          },
          "createdAt": { "type": "string", "format": "date-time" },
          "callback": { "type": "string", "format": "uri" }
        }
      }
      """;

  /** A 1 KB order that satisfies {@link #SCHEMA}. */
  static final byte[] VALID_BODY = order("c-004211", "ana.lima@example.com", "EUR", 3, "2026-11-22T10:15:30Z");
  /** The same order breaking six constraints (pattern, format, enum, minimum, type, unknown member). */
  static final byte[] INVALID_BODY = new String(order("c-42", "not-an-email", "BTC", 0, "yesterday"),
      StandardCharsets.UTF_8).replace("\"vip\":true", "\"vip\":\"yes\",\"admin\":true").getBytes(StandardCharsets.UTF_8);

  final Clock clock = Clock.systemUTC();
  final Path dir;
  final TestIssuer issuer;
  final TestKey rsa = TestKey.rsa("rsa-1");
  final TestKey ec = TestKey.ec("ec-1", "ES256");
  final TestKey ed = TestKey.ed25519("ed-1");
  final TestPki.Issued clientCa = TestPki.rootCa("Bench Client CA");
  final TestPki.Issued client = TestPki.spec("orders-client").clientAuth().issuedBy(clientCa);
  final TlsInfo tls;
  private final java.util.Map<String, String> authorizations = new java.util.concurrent.ConcurrentHashMap<>();

  Fixture() {
    try {
      dir = Files.createTempDirectory("apisec-bench");
      Files.writeString(dir.resolve("order.schema.json"), SCHEMA);
      TestPki.writePem(dir.resolve("client-ca.pem"), clientCa.certificate());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    issuer = TestIssuer.start(clock).publish(rsa, ec, ed);
    List<X509Certificate> chain = new ArrayList<>(List.of(client.fullChain()));
    tls = new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256", chain);
  }

  /** The configuration: one route per stage alone and {@code /orders} with every stage. */
  String yaml(int tokenCacheEntries) {
    return """
        audit: { enabled: false }
        mtls: { trust-anchors: [ client-ca.pem ] }
        jwt:
          cache: { max-entries: %d }
          issuers:
            - issuer: %s
              jwks-uri: %s
              audiences: [ api ]
              algorithms: [ RS256, ES256, EdDSA ]
        rate-limits:
          per-subject:
            key: jwt.sub
            limits: [ { capacity: 1000000000, refill: 1000000000/1s } ]
          per-ip:
            key: ip
            limits: [ { capacity: 1000000000, refill: 1000000000/1s } ]
        routes:
          - match: POST /orders
            auth: jwt+mtls
            scopes: [ orders:write ]
            schema: order.schema.json
            content-types: [ application/json ]
            max-body: 64KB
            rate-limit: [ per-subject ]
          - match: GET /jwt
            auth: jwt
            scopes: [ orders:read ]
          - match: GET /mtls
            auth: mtls
          - match: POST /payload
            auth: none
            schema: order.schema.json
            content-types: [ application/json ]
          - match: GET /limited
            auth: none
            rate-limit: [ per-ip ]
          - match: GET /open
            auth: none
        """.formatted(tokenCacheEntries, issuer.issuer(), issuer.jwksUri());
  }

  ApiSecurityConfig config(int tokenCacheEntries) {
    return ConfigLoader.parseYaml(yaml(tokenCacheEntries), dir);
  }

  ApiSecurity security(int tokenCacheEntries) {
    return ApiSecurity.builder(config(tokenCacheEntries)).auditToSystemLogger(false).build();
  }

  TestKey key(String alg) {
    switch (alg) {
      case "RS256": return rsa;
      case "ES256": return ec;
      case "EdDSA": return ed;
      default: throw new IllegalArgumentException("no key for " + alg);
    }
  }

  /** A twelve-claim access token signed with {@code alg}, distinct from every other one minted. */
  String token(String alg) {
    return issuer.token(key(alg))
        .expiresIn(Duration.ofHours(2))
        .claim("name", "Ana Lima")
        .claim("email", "ana.lima@example.com")
        .claim("roles", List.of("buyer", "reviewer"))
        .claim("tenant", "eu-west-acme")
        .claim("scope", "orders:read orders:write")
        .sign();
  }

  /** {@code count} distinct tokens, for the cold-token benchmarks (each misses the verified-token cache). */
  String[] tokens(String alg, int count) {
    String[] tokens = new String[count];
    for (int i = 0; i < count; i++) {
      tokens[i] = token(alg);
    }
    return tokens;
  }

  /** A request as an adapter would build it: headers, peer, TLS facts and a body reader. */
  RequestView request(String method, String target, String token, boolean tls, byte[] body) {
    return request(method, target, token, tls ? this.tls : null, body);
  }

  /** A request presenting {@code tls} (none when null). */
  RequestView request(String method, String target, String token, TlsInfo tls, byte[] body) {
    Headers.Builder headers = Headers.builder()
        .add("Host", "api.example.com")
        .add("User-Agent", "bench/1.0")
        .add("Accept", "application/json");
    if (token != null) {
      // an adapter gets the header value from its server as one string: the benchmark must not
      // measure building it
      headers.add("Authorization", authorizations.computeIfAbsent(token, t -> "Bearer " + t));
    }
    if (body != null) {
      headers.add("Content-Type", "application/json").add("Content-Length", Integer.toString(body.length));
    }
    RequestView.Builder view = RequestView.builder()
        .method(method)
        .target(target)
        .headers(headers.build())
        .remoteAddress(new InetSocketAddress("127.0.0.1", 50000));
    if (tls != null) {
      view.tls(tls);
    }
    if (body != null) {
      view.body(max -> CompletableFuture.completedFuture(body));
    }
    return view.build();
  }

  /** Fails loudly unless {@code decision} allows: a benchmark must never measure a denial by mistake. */
  static Decision requireAllowed(Decision decision, String what) {
    if (!(decision instanceof Decision.Allow)) {
      Decision.Deny deny = (Decision.Deny) decision;
      throw new IllegalStateException(what + " was denied (" + deny.status() + " " + deny.reason() + "): "
          + deny.detail());
    }
    return decision;
  }

  static Decision requireDenied(Decision decision, String what) {
    if (!(decision instanceof Decision.Deny)) {
      throw new IllegalStateException(what + " was allowed but should have been denied");
    }
    return decision;
  }

  /** An order of about 1 KB; the arguments vary what the schema checks. */
  private static byte[] order(String customerId, String email, String currency, int quantity, String createdAt) {
    StringBuilder items = new StringBuilder();
    String[] skus = {"ABC-1001", "KLM-2040", "XYZ-9000", "PQR-3141"};
    for (int i = 0; i < skus.length; i++) {
      items.append(i == 0 ? "" : ",").append("{\"sku\":\"").append(skus[i]).append("\",\"quantity\":")
          .append(i == 0 ? quantity : i + 1).append(",\"unitPrice\":").append(12.5 + i * 3.25)
          .append(",\"note\":\"gift wrap, leave at the door if nobody answers the bell\"}");
    }
    String json = "{\"orderId\":\"3f2b8c1e-7d4a-4e2b-9c61-5a0f7e3d2b19\","
        + "\"customer\":{\"id\":\"" + customerId + "\",\"email\":\"" + email + "\",\"name\":\"Ana Lima\",\"vip\":true},"
        + "\"items\":[" + items + "],"
        + "\"currency\":\"" + currency + "\","
        + "\"shipping\":{\"street\":\"Rua Augusta 120, 3rd floor\",\"city\":\"Lisboa\",\"postcode\":\"1100-053\",\"country\":\"PT\"},"
        + "\"createdAt\":\"" + createdAt + "\","
        + "\"callback\":\"https://shop.example.com/hooks/orders/3f2b8c1e\"}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    issuer.close();
  }
}
