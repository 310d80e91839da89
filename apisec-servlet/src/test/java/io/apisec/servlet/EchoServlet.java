package io.apisec.servlet;

import io.apisec.Identity;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The application behind the filter: echoes what reached it and remembers every path it served. */
final class EchoServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  final List<String> served = new CopyOnWriteArrayList<>();

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    served.add(request.getRequestURI());
    byte[] body = request.getInputStream().readAllBytes();
    Object identity = request.getAttribute(ApiSecurityFilter.IDENTITY);
    response.setStatus(200);
    response.setHeader("X-Echo-Path", request.getRequestURI());
    response.setHeader("X-Echo-Request-Id", String.valueOf(request.getHeader("X-Request-ID")));
    response.setHeader("X-Echo-Principal", request.getUserPrincipal() == null ? "" : request.getUserPrincipal().getName());
    response.setHeader("X-Echo-Client-Ip", identity instanceof Identity ? ((Identity) identity).clientIp() : "none");
    response.setContentType("text/plain");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  String bodyOf(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
