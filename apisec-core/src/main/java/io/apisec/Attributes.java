package io.apisec;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The values that stages of one request hand to later stages: the route, the client address, the
 * verified certificate and token.
 *
 * <p>One instance belongs to one request. Stages of a request run one after the other (each
 * starts when the previous one completes), so access is sequential even when it moves between
 * threads; the completion of a stage is the happens-before edge.
 */
public final class Attributes {
  /** The matched route. */
  public static final Attribute<Route> ROUTE = Attribute.of("route", Route.class);
  /** The request id (taken from {@code X-Request-ID} when valid, generated otherwise). */
  public static final Attribute<String> REQUEST_ID = Attribute.of("request-id", String.class);
  /** The client IP as resolved through trusted proxies. */
  public static final Attribute<String> CLIENT_IP = Attribute.of("client-ip", String.class);
  /** The verified client certificate identity. */
  public static final Attribute<CertificateIdentity> CERTIFICATE =
      Attribute.of("certificate", CertificateIdentity.class);
  /** The verified token claims. */
  public static final Attribute<Claims> CLAIMS = Attribute.of("claims", Claims.class);

  private final Map<Attribute<?>, Object> values = new IdentityHashMap<>(8);

  public <T> Optional<T> get(Attribute<T> key) {
    return Optional.ofNullable(key.type().cast(values.get(key)));
  }

  public <T> T getOrNull(Attribute<T> key) {
    return key.type().cast(values.get(key));
  }

  public <T> void put(Attribute<T> key, T value) {
    values.put(key, key.type().cast(value));
  }

  /** The identity verified so far. */
  public Identity identity() {
    String clientIp = getOrNull(CLIENT_IP);
    return new Identity(get(CERTIFICATE), get(CLAIMS), clientIp == null ? "" : clientIp);
  }
}
