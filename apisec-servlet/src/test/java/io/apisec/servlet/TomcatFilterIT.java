package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.testing.TestPki;
import java.security.cert.X509Certificate;

/** The servlet-specific contract in embedded Tomcat, the filter registered web.xml-less. */
class TomcatFilterIT extends ServletFilterContract {
  private ServletContainers.Running tomcat;

  @Override
  int start(ApiSecurity security, TestPki.Issued server, X509Certificate clientCa, EchoServlet echo) throws Exception {
    tomcat = ServletContainers.tomcat(security, echo, server.keyStore(), TestPki.trustStore(clientCa));
    return tomcat.port();
  }

  @Override
  boolean containerDropsContentLengthBesideTransferEncoding() {
    return true;
  }

  @Override
  void stop() throws Exception {
    tomcat.stopper().close();
  }
}
