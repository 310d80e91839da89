package io.apisec.jwt;

import io.apisec.internal.BoundedBody;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.apisec.config.IntrospectionConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * Calls one RFC 7662 introspection endpoint with the JDK's non-blocking HTTP client, authenticating
 * as the configured client, and reads its answer: bounded in time (the configured timeout, connection
 * included) and in size (64 KB).
 *
 * <p>Thread-safe. {@link #introspect} never blocks; its stage completes with the response's members
 * when the endpoint answered {@code 200} with a JSON object whose {@code active} is a boolean, and
 * fails with an {@link IntrospectionException} (a message fit for operators, never holding the token
 * or a credential) for anything else: refused connection, timeout, another status, a malformed body.
 */
final class IntrospectionClient {
  static final int MAX_BODY = 64 * 1024;
  private static final Duration ASSERTION_LIFETIME = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(32).maxStringLength(16 * 1024).maxNumberLength(64).build())
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {};

  private final IntrospectionConfig config;
  private final HttpClient http;
  private final Clock clock;
  private final String basicAuthorization;
  private final JWSSigner signer;
  private final JWSAlgorithm assertionAlgorithm;

  IntrospectionClient(IntrospectionConfig config, Clock clock, Executor executor) {
    this.config = config;
    this.clock = clock;
    HttpClient.Builder builder = HttpClient.newBuilder()
        .connectTimeout(config.timeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .executor(executor);
    if (!config.trustAnchors().isEmpty() || config.clientAuth() == IntrospectionConfig.ClientAuth.TLS_CLIENT_AUTH) {
      builder.sslContext(sslContext(config));
    }
    this.http = builder.build();
    this.basicAuthorization = config.clientAuth() != IntrospectionConfig.ClientAuth.CLIENT_SECRET_BASIC ? null
        : "Basic " + Base64.getEncoder().encodeToString(
            (form(config.clientId()) + ":" + form(config.clientSecret().orElseThrow())).getBytes(StandardCharsets.UTF_8));
    if (config.clientAuth() == IntrospectionConfig.ClientAuth.PRIVATE_KEY_JWT) {
      PrivateKey key = config.privateKey().orElseThrow();
      this.assertionAlgorithm = algorithmFor(key);
      this.signer = signerFor(key);
    } else {
      this.assertionAlgorithm = null;
      this.signer = null;
    }
  }

  /** Asks the endpoint about {@code token}; see the class description for how the stage completes. */
  CompletableFuture<Map<String, Object>> introspect(String token) {
    StringBuilder body = new StringBuilder(token.length() + 256)
        .append("token=").append(form(token))
        .append("&token_type_hint=access_token");
    HttpRequest.Builder request = HttpRequest.newBuilder(config.endpoint())
        .timeout(config.timeout())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json");
    switch (config.clientAuth()) {
      case CLIENT_SECRET_BASIC:
        request.header("Authorization", basicAuthorization);
        break;
      case CLIENT_SECRET_POST:
        body.append("&client_id=").append(form(config.clientId()))
            .append("&client_secret=").append(form(config.clientSecret().orElseThrow()));
        break;
      case PRIVATE_KEY_JWT:
        body.append("&client_id=").append(form(config.clientId()))
            .append("&client_assertion_type=").append(form("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
            .append("&client_assertion=").append(clientAssertion());
        break;
      default: // TLS_CLIENT_AUTH: the handshake authenticates; RFC 8705 §2 still sends client_id
        body.append("&client_id=").append(form(config.clientId()));
        break;
    }
    request.POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.US_ASCII));
    CompletableFuture<Map<String, Object>> answer;
    try {
      answer = http.sendAsync(request.build(), BoundedBody.handler(MAX_BODY))
          .thenApply(IntrospectionClient::read);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return answer
        .orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(failure -> CompletableFuture.failedFuture(new IntrospectionException(describe(failure))));
  }

  private static Map<String, Object> read(HttpResponse<byte[]> response) {
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      throw new IntrospectionException("the endpoint refused apisec's client authentication (HTTP " + status + ")");
    }
    if (status != 200) {
      throw new IntrospectionException("HTTP " + status + " from the introspection endpoint");
    }
    Map<String, Object> members;
    try {
      members = JSON.readValue(response.body(), OBJECT);
    } catch (IOException | RuntimeException e) {
      throw new IntrospectionException("the response is not a JSON object with unique member names");
    }
    if (members == null) {
      throw new IntrospectionException("the response is not a JSON object");
    }
    if (!(members.get("active") instanceof Boolean)) {
      // RFC 7662 §2.2: active is REQUIRED and boolean; anything else is no answer, never "active"
      throw new IntrospectionException("the response has no boolean 'active' member");
    }
    return members;
  }

  /** A fresh RFC 7523 client assertion: iss = sub = client id, aud, a unique jti, 60 s lifetime. */
  private String clientAssertion() {
    Instant now = clock.instant();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(config.clientId())
        .subject(config.clientId())
        .audience(config.assertionAudience())
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
        .build();
    JWSHeader.Builder header = new JWSHeader.Builder(assertionAlgorithm).type(JOSEObjectType.JWT);
    config.keyId().ifPresent(header::keyID);
    SignedJWT jwt = new SignedJWT(header.build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IntrospectionException("the client assertion could not be signed");
    }
    return jwt.serialize();
  }

  private static JWSAlgorithm algorithmFor(PrivateKey key) {
    if (key instanceof ECPrivateKey) {
      int bits = ((ECPrivateKey) key).getParams().getCurve().getField().getFieldSize();
      return bits <= 256 ? JWSAlgorithm.ES256 : bits <= 384 ? JWSAlgorithm.ES384 : JWSAlgorithm.ES512;
    }
    return JWSAlgorithm.RS256;
  }

  private static JWSSigner signerFor(PrivateKey key) {
    try {
      return key instanceof ECPrivateKey ? new ECDSASigner((ECPrivateKey) key) : new RSASSASigner(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("introspection private-key cannot sign client assertions (unsupported curve)");
    }
  }

  private static SSLContext sslContext(IntrospectionConfig config) {
    try {
      KeyManagerFactory kmf = null;
      if (config.clientAuth() == IntrospectionConfig.ClientAuth.TLS_CLIENT_AUTH) {
        char[] password = UUID.randomUUID().toString().toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", config.privateKey().orElseThrow(), password,
            config.certificateChain().toArray(new X509Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
      }
      TrustManagerFactory tmf = null;
      if (!config.trustAnchors().isEmpty()) {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        for (int i = 0; i < config.trustAnchors().size(); i++) {
          anchors.setCertificateEntry("ca" + i, config.trustAnchors().get(i));
        }
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(),
          new SecureRandom());
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("introspection TLS settings cannot be used: " + e.getClass().getSimpleName());
    }
  }

  private String describe(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof IntrospectionException) {
      return cause.getMessage();
    }
    if (cause instanceof BoundedBody.TooLarge) {
      return cause.getMessage();
    }
    if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
      return "the call timed out after " + config.timeout().toMillis() + "ms";
    }
    if (cause instanceof ConnectException) {
      return "the connection was refused";
    }
    if (cause instanceof SSLException) {
      return "the TLS handshake failed (" + cause.getClass().getSimpleName() + ")";
    }
    return "the call failed (" + cause.getClass().getSimpleName() + ")";
  }

  private static String form(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** A failed introspection call, with a message fit for operators (no token, no credential). */
  static final class IntrospectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    IntrospectionException(String message) {
      super(message, null, false, false);
    }
  }
}
