package io.apisec.standalone;

import io.apisec.internal.Json;
import io.apisec.internal.ProblemDocument;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Problem documents for what the gateway itself answers (the upstream down or slow, a draining
 * gateway), in exactly the shape of the core's denials: {@code type}, {@code title}, {@code
 * status}, {@code detail}, {@code requestId}. Stateless.
 */
final class GatewayProblem {
  static final String MEDIA_TYPE = ProblemDocument.MEDIA_TYPE;

  private GatewayProblem() {}

  static byte[] json(int status, String slug, String title, String detail, String requestId) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", "urn:apisec:problem:" + slug);
    doc.put("title", title);
    doc.put("status", status);
    doc.put("detail", detail);
    doc.put("requestId", requestId);
    return Json.write(doc).getBytes(StandardCharsets.UTF_8);
  }
}
