package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.testing.TestPki;
import jakarta.servlet.DispatcherType;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The filter in embedded Jetty 12 (EE10). Jetty's own URI checks are relaxed to UNSAFE so that
 * the filter, not the container, is the line being tested.
 */
class JettyFilterIT extends ServletFilterContract {
  private Server jetty;

  @Override
  int start(ApiSecurity security, TestPki.Issued server, X509Certificate clientCa, EchoServlet echo) throws Exception {
    jetty = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(server.keyStore());
    ssl.setKeyStorePassword(TestPki.password());
    ssl.setTrustStore(TestPki.trustStore(clientCa));
    ssl.setWantClientAuth(true);
    HttpConfiguration http = new HttpConfiguration();
    http.setUriCompliance(UriCompliance.UNSAFE);
    http.addCustomizer(new SecureRequestCustomizer());
    ServerConnector connector = new ServerConnector(jetty, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    jetty.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.getServletHandler().setDecodeAmbiguousURIs(true);
    FilterHolder filter = new FilterHolder(new ApiSecurityFilter(security));
    filter.setAsyncSupported(true);
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    ServletHolder servlet = new ServletHolder(echo);
    servlet.setAsyncSupported(true);
    context.addServlet(servlet, "/*");
    jetty.setHandler(context);
    jetty.start();
    return connector.getLocalPort();
  }

  @Override
  void stop() throws Exception {
    jetty.stop();
  }
}
