package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.conformance.AdapterConformanceKit;
import io.apisec.conformance.EchoApplication;
import io.apisec.conformance.ServerTls;
import io.apisec.testing.TestPki;

/** The adapter conformance kit against the servlet filter in embedded Jetty 12. */
class JettyConformanceIT extends AdapterConformanceKit {
  @Override
  protected RunningServer start(ApiSecurity security, ServerTls tls, EchoApplication app) throws Exception {
    ServletContainers.Running jetty = ServletContainers.jetty(security, new KitServlet(app), tls.server().keyStore(),
        TestPki.trustStore(tls.clientCa()));
    return new RunningServer(jetty.port(), jetty.stopper());
  }

  @Override
  protected boolean containerParsesHttpFirst() {
    return true;
  }
}
