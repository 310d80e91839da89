package io.apisec.internal;

import io.apisec.Decision;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes RFC 9457 problem documents: the same bytes from every adapter. */
public final class ProblemDocument {
  public static final String MEDIA_TYPE = "application/problem+json";

  private ProblemDocument() {}

  public static byte[] toJson(Decision.Deny deny) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", deny.reason().type());
    doc.put("title", deny.reason().title());
    doc.put("status", deny.status());
    doc.put("detail", deny.detail());
    doc.put("requestId", deny.requestId());
    for (Map.Entry<String, Object> member : deny.problemMembers().entrySet()) {
      doc.putIfAbsent(member.getKey(), member.getValue());
    }
    return Json.write(doc).getBytes(StandardCharsets.UTF_8);
  }
}
