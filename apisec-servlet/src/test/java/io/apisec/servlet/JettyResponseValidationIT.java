package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.testing.TestPki;
import jakarta.servlet.http.HttpServlet;
import java.security.cert.X509Certificate;

/** Response validation through the filter in embedded Jetty. */
class JettyResponseValidationIT extends ServletResponseValidationContract {
  private ServletContainers.Running running;

  @Override
  int start(ApiSecurity security, TestPki.Issued server, X509Certificate clientCa, HttpServlet servlet) throws Exception {
    running = ServletContainers.jetty(security, servlet, server.keyStore(), TestPki.trustStore(clientCa));
    return running.port();
  }

  @Override
  void stop() throws Exception {
    running.stopper().close();
  }
}
