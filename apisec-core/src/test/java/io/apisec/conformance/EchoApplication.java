package io.apisec.conformance;

import io.apisec.Identity;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The application behind every adapter under test: it answers 200 and echoes what reached it
 * (method, path, request id, identity, body), and counts its calls so a case can prove a denied
 * request never got here. Thread-safe.
 */
public final class EchoApplication {
  public static final String METHOD = "x-echo-method";
  public static final String PATH = "x-echo-path";
  public static final String REQUEST_ID = "x-echo-request-id";
  public static final String CLIENT_IP = "x-echo-client-ip";
  public static final String PRINCIPAL = "x-echo-principal";

  private final AtomicInteger calls = new AtomicInteger();

  /** What the adapter's application writes back. */
  public record Reply(int status, Map<String, String> headers, byte[] body) {}

  /**
   * Handles one request that the adapter let through.
   *
   * @param method the method the application saw
   * @param path the path the application saw
   * @param requestId the {@code X-Request-ID} header the application received (null if none)
   * @param identity the identity the adapter exposed to the application (null if none)
   * @param body the body the application received
   */
  public Reply handle(String method, String path, String requestId, Identity identity, byte[] body) {
    calls.incrementAndGet();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(METHOD, method);
    headers.put(PATH, path);
    headers.put(REQUEST_ID, requestId == null ? "(none)" : requestId);
    headers.put(CLIENT_IP, identity == null ? "(no identity)" : identity.clientIp());
    headers.put(PRINCIPAL, identity == null ? "(no identity)" : identity.principalName().orElse("(anonymous)"));
    headers.put("content-type", "application/octet-stream");
    return new Reply(200, headers, body == null ? new byte[0] : body);
  }

  /** How many requests reached the application so far. */
  public int calls() {
    return calls.get();
  }
}
