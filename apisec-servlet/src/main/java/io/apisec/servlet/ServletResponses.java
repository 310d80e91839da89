package io.apisec.servlet;

import io.apisec.Decision;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Writes the core's denials to a servlet response. */
final class ServletResponses {
  private ServletResponses() {}

  static void writeDenial(Decision.Deny deny, HttpServletResponse response) throws IOException {
    byte[] body = deny.body();
    response.setStatus(deny.status());
    response.setContentType(deny.contentType());
    response.setContentLength(body.length);
    if (deny.status() == 413 || deny.status() == 400 && deny.reason() == io.apisec.DenyReason.BAD_FRAMING) {
      // the rest of an oversized or ill-framed body must not be read as a next request
      response.setHeader("Connection", "close");
    }
    response.getOutputStream().write(body);
    response.flushBuffer();
  }
}
