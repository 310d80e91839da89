package io.apisec.servlet;

import io.apisec.Identity;
import io.apisec.conformance.EchoApplication;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The conformance kit's echo application as a servlet. */
final class KitServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  private final transient EchoApplication app;

  KitServlet(EchoApplication app) {
    this.app = app;
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
    byte[] body = request.getInputStream().readAllBytes();
    Object identity = request.getAttribute(ApiSecurityFilter.IDENTITY);
    EchoApplication.Reply reply = app.handle(request.getMethod(), request.getRequestURI(), request.getHeader("X-Request-ID"),
        identity instanceof Identity ? (Identity) identity : null, body);
    response.setStatus(reply.status());
    reply.headers().forEach(response::setHeader);
    response.setContentLength(reply.body().length);
    response.getOutputStream().write(reply.body());
  }
}
