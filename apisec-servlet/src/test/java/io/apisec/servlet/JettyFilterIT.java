package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.testing.TestPki;
import java.security.cert.X509Certificate;

/** The servlet-specific contract in embedded Jetty 12 (EE10). */
class JettyFilterIT extends ServletFilterContract {
  private ServletContainers.Running jetty;

  @Override
  int start(ApiSecurity security, TestPki.Issued server, X509Certificate clientCa, EchoServlet echo) throws Exception {
    jetty = ServletContainers.jetty(security, echo, server.keyStore(), TestPki.trustStore(clientCa));
    return jetty.port();
  }

  @Override
  void stop() throws Exception {
    jetty.stopper().close();
  }
}
