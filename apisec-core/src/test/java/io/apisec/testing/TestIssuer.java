package io.apisec.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.apisec.internal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A token issuer for tests: mints tokens with chosen headers and claims (signed with the JDK, so
 * even broken or hostile tokens can be made), and serves its JWKS and OIDC discovery document from
 * a real JDK HTTP server on 127.0.0.1 that tests rotate, take down, stall or make serve garbage.
 *
 * <p>Thread-safe. Close it to stop the server.
 */
public final class TestIssuer implements AutoCloseable {
  /** How the JWKS endpoint answers. */
  public enum Mode {
    /** The published key set. */
    SERVE,
    /** HTTP 500. */
    ERROR,
    /** HTTP 200 with a body that is not a JWK set. */
    GARBAGE,
    /** Holds the request without answering until {@link #releaseStalled()} (or 30 s). */
    STALL
  }

  private final Clock clock;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-issuer-http");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger jwksFetches = new AtomicInteger();
  private final AtomicInteger discoveryFetches = new AtomicInteger();
  private volatile HttpServer server;
  private volatile int port;
  private volatile String issuer;
  private volatile List<Map<String, Object>> published = List.of();
  private volatile String cacheControl;
  private volatile Mode mode = Mode.SERVE;
  private volatile CountDownLatch stall = new CountDownLatch(1);

  private TestIssuer(Clock clock, String issuer) {
    this.clock = clock;
    if (issuer == null) {
      bind(0);
      this.issuer = "http://127.0.0.1:" + port + "/issuer";
    } else {
      this.issuer = issuer;
    }
  }

  /** Starts the endpoint on a free loopback port; token times come from {@code clock}. */
  public static TestIssuer start(Clock clock) {
    return new TestIssuer(clock, null);
  }

  /** An issuer that only mints tokens (HS* or with keys published elsewhere): no server. */
  public static TestIssuer minting(String issuer, Clock clock) {
    return new TestIssuer(clock, issuer);
  }

  private void bind(int requestedPort) {
    try {
      HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 50);
      s.createContext("/issuer/jwks", this::jwks);
      s.createContext("/issuer/.well-known/openid-configuration", this::discovery);
      s.setExecutor(executor);
      s.start();
      this.server = s;
      this.port = s.getAddress().getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code iss} of its tokens. */
  public String issuer() {
    return issuer;
  }

  public String jwksUri() {
    return "http://127.0.0.1:" + port + "/issuer/jwks";
  }

  public String discoveryUri() {
    return "http://127.0.0.1:" + port + "/issuer/.well-known/openid-configuration";
  }

  /** Serves exactly these keys from now on. */
  public TestIssuer publish(TestKey... keys) {
    List<Map<String, Object>> jwks = new ArrayList<>();
    for (TestKey key : keys) {
      jwks.add(key.jwk());
    }
    published = List.copyOf(jwks);
    return this;
  }

  /** Serves exactly these JWKs (as plain values) from now on. */
  public TestIssuer publishJwks(List<Map<String, Object>> jwks) {
    published = List.copyOf(jwks);
    return this;
  }

  /** The {@code Cache-Control} header of JWKS responses, or null for none. */
  public TestIssuer cacheControl(String value) {
    this.cacheControl = value;
    return this;
  }

  public TestIssuer mode(Mode mode) {
    if (mode == Mode.STALL) {
      stall = new CountDownLatch(1);
    }
    this.mode = mode;
    return this;
  }

  /** Lets stalled requests go on (answering with the published set). */
  public void releaseStalled() {
    stall.countDown();
  }

  /** Stops the server: connections are refused until {@link #bringUp()}. */
  public void takeDown() {
    server.stop(0);
  }

  /** Starts the server again on the same port. */
  public void bringUp() {
    bind(port);
  }

  public int jwksFetches() {
    return jwksFetches.get();
  }

  public int discoveryFetches() {
    return discoveryFetches.get();
  }

  /** Waits (polling, with a deadline) until the JWKS was fetched at least {@code n} times. */
  public void awaitJwksFetches(int n) {
    await(() -> jwksFetches.get() >= n, "the JWKS to be fetched " + n + " times (was " + jwksFetches.get() + ")");
  }

  /** Polls {@code condition} until true or fails after 10 s. */
  public static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Timed out waiting for " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(5); // polling interval of a deadline wait, not a wait for an event
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private void jwks(HttpExchange exchange) throws IOException {
    jwksFetches.incrementAndGet();
    Mode current = mode;
    if (current == Mode.STALL) {
      try {
        stall.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    switch (current) {
      case ERROR -> respond(exchange, 500, "{\"error\":\"boom\"}", null);
      case GARBAGE -> respond(exchange, 200, "<html>this is not a key set</html>", null);
      default -> respond(exchange, 200, Json.write(Map.of("keys", published)), cacheControl);
    }
  }

  private void discovery(HttpExchange exchange) throws IOException {
    discoveryFetches.incrementAndGet();
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("issuer", issuer);
    doc.put("jwks_uri", jwksUri());
    respond(exchange, 200, Json.write(doc), null);
  }

  private static void respond(HttpExchange exchange, int status, String body, String cacheControl) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    if (cacheControl != null) {
      exchange.getResponseHeaders().add("Cache-Control", cacheControl);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    } finally {
      exchange.close();
    }
  }

  /** A token of this issuer signed by {@code key} with its default algorithm and sensible claims. */
  public Token token(TestKey key) {
    return new Token(key);
  }

  /** A token of this issuer MACed with {@code secret} (HS256 unless the alg header is changed). */
  public Token hmacToken(byte[] secret) {
    return new Token(secret);
  }

  @Override
  public void close() {
    stall.countDown();
    if (server != null) {
      server.stop(0);
    }
    executor.shutdownNow();
  }

  /** A token being minted: change headers and claims, then {@link #sign()}. Not thread-safe. */
  public final class Token {
    private final TestKey key;
    private final byte[] secret;
    private final Map<String, Object> header = new LinkedHashMap<>();
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private String rawHeader;
    private String rawPayload;

    private Token(TestKey key) {
      this.key = key;
      this.secret = null;
      header.put("alg", key.alg());
      header.put("typ", "at+jwt");
      header.put("kid", key.kid());
      defaults();
    }

    private Token(byte[] secret) {
      this.key = null;
      this.secret = secret.clone();
      header.put("alg", "HS256");
      header.put("typ", "at+jwt");
      defaults();
    }

    private void defaults() {
      long now = clock.instant().getEpochSecond();
      claims.put("iss", issuer);
      claims.put("sub", "alice");
      claims.put("aud", "api");
      claims.put("iat", now);
      claims.put("exp", now + 300);
      claims.put("jti", UUID.randomUUID().toString());
      claims.put("client_id", "test-client");
      claims.put("scope", "orders:read orders:write");
    }

    /** Sets a header parameter; null removes it. */
    public Token header(String name, Object value) {
      if (value == null) {
        header.remove(name);
      } else {
        header.put(name, value);
      }
      return this;
    }

    /** Sets a claim; null removes it. */
    public Token claim(String name, Object value) {
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    /** Sets {@code exp} relative to the clock. */
    public Token expiresIn(Duration duration) {
      return claim("exp", clock.instant().plus(duration).getEpochSecond());
    }

    /** Uses this JSON text as the header, verbatim (such as one with duplicate names). */
    public Token rawHeader(String json) {
      this.rawHeader = json;
      return this;
    }

    /** Uses this JSON text as the payload, verbatim (such as one with duplicate claim names). */
    public Token rawPayload(String json) {
      this.rawPayload = json;
      return this;
    }

    public Map<String, Object> claims() {
      return Map.copyOf(claims);
    }

    /** The compact JWS. */
    public String sign() {
      String h = TestKey.b64((rawHeader != null ? rawHeader : Json.write(header)).getBytes(StandardCharsets.UTF_8));
      String p = TestKey.b64((rawPayload != null ? rawPayload : Json.write(claims)).getBytes(StandardCharsets.UTF_8));
      String input = h + "." + p;
      String alg = String.valueOf(header.get("alg"));
      byte[] signature = alg.equalsIgnoreCase("none") ? new byte[0] : secret != null
          ? hmac(alg, secret, input)
          : TestIssuer.sign(alg, key.pair().getPrivate(), input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + TestKey.b64(signature);
    }
  }

  /** MACs {@code input} with {@code secret}: HS256/384/512. */
  public static byte[] hmac(String alg, byte[] secret, String input) {
    try {
      String name = "Hmac" + (alg.startsWith("HS") ? "SHA" + alg.substring(2) : "SHA256");
      Mac mac = Mac.getInstance(name);
      mac.init(new SecretKeySpec(secret, name));
      return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Signs with the JDK: RS*, PS*, ES* (raw r||s), EdDSA (Ed25519). */
  public static byte[] sign(String alg, PrivateKey key, byte[] input) {
    try {
      Signature signature;
      String bits = alg.length() > 2 ? alg.substring(2) : "";
      if (alg.startsWith("RS")) {
        signature = Signature.getInstance("SHA" + bits + "withRSA");
      } else if (alg.startsWith("PS")) {
        signature = Signature.getInstance("RSASSA-PSS");
        String hash = "SHA-" + bits;
        signature.setParameter(new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash),
            Integer.parseInt(bits) / 8, 1));
      } else if (alg.startsWith("ES")) {
        signature = Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
      } else if (alg.equals("EdDSA")) {
        signature = Signature.getInstance("Ed25519");
      } else {
        throw new IllegalArgumentException("cannot sign " + alg + " with a key pair");
      }
      signature.initSign(key);
      signature.update(input);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
