package io.apisec.examples.jetty;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import io.apisec.testing.ExampleServiceContract;
import io.apisec.testing.LocalIssuer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The embedded Jetty example with the bundled apisec.yaml. */
class JettyExampleIT extends ExampleServiceContract {
  static LocalIssuer issuer;
  static ApiSecurity security;
  static Server server;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    issuer = new LocalIssuer();
    security = ApiSecurity.of(ConfigLoader.parseYaml(issuer.bundledConfig("/apisec.yaml"), null));
    server = JettyExample.start(security, 0);
    base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
    security.close();
    issuer.close();
  }

  @Override
  protected String base() {
    return base;
  }

  @Override
  protected LocalIssuer issuer() {
    return issuer;
  }
}
