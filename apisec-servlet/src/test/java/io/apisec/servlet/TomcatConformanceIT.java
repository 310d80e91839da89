package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.conformance.AdapterConformanceKit;
import io.apisec.conformance.EchoApplication;
import io.apisec.conformance.ServerTls;
import io.apisec.testing.TestPki;

/** The adapter conformance kit against the servlet filter in embedded Tomcat. */
class TomcatConformanceIT extends AdapterConformanceKit {
  @Override
  protected RunningServer start(ApiSecurity security, ServerTls tls, EchoApplication app) throws Exception {
    ServletContainers.Running tomcat = ServletContainers.tomcat(security, new KitServlet(app), tls.server().keyStore(),
        TestPki.trustStore(tls.clientCa()));
    return new RunningServer(tomcat.port(), tomcat.stopper());
  }

  @Override
  protected boolean containerParsesHttpFirst() {
    return true;
  }
}
