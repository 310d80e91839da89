package io.apisec.testing;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.apisec.internal.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real RFC 7662 introspection endpoint on a free loopback port (plain HTTP or HTTPS with client
 * certificates) that a test controls: which tokens are active with which members, which client
 * authentication it demands (and verifies: Basic, form secret, a signed RFC 7523 assertion, or the
 * TLS client certificate), and how it fails (down, stalled, 500, garbage). Counts its calls.
 *
 * <p>Thread-safe. Unknown tokens are answered {@code {"active":false}}; a client failing
 * authentication gets {@code 401 invalid_client}.
 */
public final class IntrospectionEndpoint implements AutoCloseable {
  /** How the endpoint answers. */
  public enum Mode {
    /** The registered answers. */
    SERVE,
    /** HTTP 500. */
    ERROR,
    /** HTTP 200 with the body set by {@link #rawBody(String)}. */
    RAW,
    /** Holds the request without answering until {@link #releaseStalled()} (or 30 s). */
    STALL
  }

  private final Clock clock;
  private final TestPki.Issued serverCertificate;
  private final X509Certificate clientCa;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-introspection-http");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, Map<String, Object>> active = new ConcurrentHashMap<>();
  private final Set<String> seenAssertionIds = ConcurrentHashMap.newKeySet();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger refusedClients = new AtomicInteger();
  private volatile HttpServer server;
  private volatile int port;
  private volatile Mode mode = Mode.SERVE;
  private volatile String rawBody = "";
  private volatile CountDownLatch stall = new CountDownLatch(1);
  private volatile String clientId = "api";
  private volatile String expectedAuth = "client_secret_basic";
  private volatile String secret;
  private volatile PublicKey assertionKey;
  private volatile X509Certificate clientCertificate;
  private volatile String lastForm = "";

  private IntrospectionEndpoint(Clock clock, TestPki.Issued serverCertificate, X509Certificate clientCa) {
    this.clock = clock;
    this.serverCertificate = serverCertificate;
    this.clientCa = clientCa;
    bind(0);
  }

  /** A plain-HTTP endpoint; assertion times are checked against {@code clock}. */
  public static IntrospectionEndpoint start(Clock clock) {
    return new IntrospectionEndpoint(clock, null, null);
  }

  /** An HTTPS endpoint presenting {@code server}, asking for client certificates issued by {@code clientCa}. */
  public static IntrospectionEndpoint startTls(Clock clock, TestPki.Issued server, X509Certificate clientCa) {
    return new IntrospectionEndpoint(clock, server, clientCa);
  }

  private void bind(int requestedPort) {
    try {
      InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort);
      HttpServer s;
      if (serverCertificate == null) {
        s = HttpServer.create(address, 200);
      } else {
        HttpsServer https = HttpsServer.create(address, 200);
        SSLContext context = serverContext();
        https.setHttpsConfigurator(new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            var ssl = context.getDefaultSSLParameters();
            ssl.setWantClientAuth(true);
            params.setSSLParameters(ssl);
          }
        });
        s = https;
      }
      s.createContext("/introspect", this::introspect);
      s.setExecutor(executor);
      s.start();
      this.server = s;
      this.port = s.getAddress().getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private SSLContext serverContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(serverCertificate.keyStore(), TestPki.password().toCharArray());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(TestPki.trustStore(clientCa));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public String url() {
    return (serverCertificate == null ? "http" : "https") + "://127.0.0.1:" + port + "/introspect";
  }

  /** Demands HTTP Basic with this client id and secret (the default, with id {@code api}). */
  public IntrospectionEndpoint expectBasic(String id, String clientSecret) {
    return expect("client_secret_basic", id, clientSecret, null, null);
  }

  /** Demands {@code client_id} and {@code client_secret} in the form. */
  public IntrospectionEndpoint expectPost(String id, String clientSecret) {
    return expect("client_secret_post", id, clientSecret, null, null);
  }

  /** Demands a client assertion signed by the private half of {@code key}, aud = {@link #url()}. */
  public IntrospectionEndpoint expectAssertion(String id, PublicKey key) {
    return expect("private_key_jwt", id, null, key, null);
  }

  /** Demands this client certificate in the TLS handshake, and {@code client_id} in the form. */
  public IntrospectionEndpoint expectCertificate(String id, X509Certificate certificate) {
    return expect("tls_client_auth", id, null, null, certificate);
  }

  private IntrospectionEndpoint expect(String auth, String id, String clientSecret, PublicKey key, X509Certificate cert) {
    this.expectedAuth = auth;
    this.clientId = id;
    this.secret = clientSecret;
    this.assertionKey = key;
    this.clientCertificate = cert;
    return this;
  }

  /** Answers {@code token} as active with these members (plus {@code "active": true}). */
  public IntrospectionEndpoint activate(String token, Map<String, Object> members) {
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("active", true);
    answer.putAll(members);
    active.put(token, answer);
    return this;
  }

  /** Answers {@code token} as inactive from now on (revoked). */
  public IntrospectionEndpoint deactivate(String token) {
    active.remove(token);
    return this;
  }

  public IntrospectionEndpoint mode(Mode mode) {
    if (mode == Mode.STALL) {
      stall = new CountDownLatch(1);
    }
    this.mode = mode;
    return this;
  }

  /** The body served in {@link Mode#RAW}, and switches to it. */
  public IntrospectionEndpoint rawBody(String body) {
    this.rawBody = body;
    return mode(Mode.RAW);
  }

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

  /** Introspection requests received (whatever the answer). */
  public int calls() {
    return calls.get();
  }

  /** Requests refused for failed client authentication. */
  public int refusedClients() {
    return refusedClients.get();
  }

  /** The form body of the last request. */
  public String lastForm() {
    return lastForm;
  }

  private void introspect(HttpExchange exchange) throws IOException {
    try (exchange) {
      calls.incrementAndGet();
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      lastForm = body;
      if (mode == Mode.STALL) {
        try {
          stall.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (mode == Mode.ERROR) {
        send(exchange, 500, "{\"error\":\"server_error\"}");
        return;
      }
      if (mode == Mode.RAW) {
        send(exchange, 200, rawBody);
        return;
      }
      Map<String, String> form = form(body);
      if (!"POST".equals(exchange.getRequestMethod()) || !authenticated(exchange, form)) {
        refusedClients.incrementAndGet();
        send(exchange, 401, "{\"error\":\"invalid_client\"}");
        return;
      }
      Map<String, Object> answer = active.get(form.getOrDefault("token", ""));
      send(exchange, 200, Json.write(answer == null ? Map.of("active", false) : answer));
    }
  }

  private boolean authenticated(HttpExchange exchange, Map<String, String> form) {
    switch (expectedAuth) {
      case "client_secret_basic": {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Basic ") || form.containsKey("client_secret")) {
          return false;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon > 0 && decode(decoded.substring(0, colon)).equals(clientId)
            && decode(decoded.substring(colon + 1)).equals(secret);
      }
      case "client_secret_post":
        return clientId.equals(form.get("client_id")) && secret.equals(form.get("client_secret"))
            && exchange.getRequestHeaders().getFirst("Authorization") == null;
      case "private_key_jwt":
        return assertionValid(form);
      default:
        return certificateValid(exchange) && clientId.equals(form.get("client_id"));
    }
  }

  private boolean assertionValid(Map<String, String> form) {
    if (!"urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(form.get("client_assertion_type"))) {
      return false;
    }
    try {
      SignedJWT jwt = SignedJWT.parse(form.getOrDefault("client_assertion", ""));
      JWSVerifier verifier = assertionKey instanceof ECPublicKey ? new ECDSAVerifier((ECPublicKey) assertionKey)
          : new RSASSAVerifier((RSAPublicKey) assertionKey);
      if (!jwt.verify(verifier)) {
        return false;
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      return clientId.equals(claims.getIssuer()) && clientId.equals(claims.getSubject())
          && claims.getAudience().contains(url())
          && claims.getExpirationTime() != null && claims.getExpirationTime().toInstant().isAfter(clock.instant())
          && claims.getJWTID() != null && seenAssertionIds.add(claims.getJWTID()); // RFC 7523 §3: no replay
    } catch (Exception e) {
      return false;
    }
  }

  private boolean certificateValid(HttpExchange exchange) {
    if (!(exchange instanceof HttpsExchange)) {
      return false;
    }
    try {
      Certificate[] peer = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
      return peer.length > 0 && peer[0].equals(clientCertificate);
    } catch (SSLPeerUnverifiedException e) {
      return false;
    }
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return out;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
  }

  /** Writes {@code key} as an unencrypted PKCS#8 PEM file ({@code -----BEGIN PRIVATE KEY-----}). */
  public static Path writePkcs8(Path file, PrivateKey key) {
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    try {
      return Files.writeString(file, pem, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fresh 2048-bit RSA key pair. */
  public static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    releaseStalled();
    server.stop(0);
    executor.shutdownNow();
  }
}
