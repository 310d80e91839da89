package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.testing.TestPki;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.EnumSet;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
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
 * Starts the filter in front of a servlet in embedded Jetty 12 (EE10) or Tomcat, over HTTPS on
 * 127.0.0.1 with client certificates wanted. The containers' own URI checks are relaxed so that
 * the filter, not the container, is the line being tested.
 */
final class ServletContainers {
  private ServletContainers() {}

  record Running(int port, AutoCloseable stopper) {}

  static Running jetty(ApiSecurity security, HttpServlet servlet, KeyStore keyStore, KeyStore trustStore) throws Exception {
    Server jetty = new Server();
    SslContextFactory.Server ssl = new SslContextFactory.Server();
    if (trustStore == null) {
      // every client chain reaches the filter, which validates it: the pipeline is what is tested
      ssl.setSslContext(acceptingAnyClient(keyStore));
    } else {
      ssl.setKeyStore(keyStore);
      ssl.setKeyStorePassword(TestPki.password());
      ssl.setTrustStore(trustStore);
    }
    ssl.setWantClientAuth(true);
    HttpConfiguration http = new HttpConfiguration();
    http.setUriCompliance(UriCompliance.UNSAFE);
    http.setSendServerVersion(false);
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
    ServletHolder holder = new ServletHolder(servlet);
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    jetty.setHandler(context);
    jetty.start();
    return new Running(connector.getLocalPort(), jetty::stop);
  }

  private static javax.net.ssl.SSLContext acceptingAnyClient(KeyStore keyStore) throws Exception {
    javax.net.ssl.KeyManagerFactory kmf =
        javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keyStore, TestPki.password().toCharArray());
    javax.net.ssl.X509TrustManager anyClient = new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
          throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a server never checks servers here");
      }

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    };
    javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {anyClient}, new java.security.SecureRandom());
    return context;
  }

  /** Tomcat, with the filter registered web.xml-less by {@link ApiSecurityFilter#register}. */
  static Running tomcat(ApiSecurity security, HttpServlet servlet, KeyStore keyStore, KeyStore trustStore) throws Exception {
    Path base = Files.createTempDirectory("tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setSecure(true);
    connector.setScheme("https");
    connector.setProperty("SSLEnabled", "true");
    connector.setProperty("allowBackslash", "true");
    connector.setEncodedSolidusHandling("passthrough");
    // Tomcat's default ("immediately") sends 100 Continue before any filter runs; "onRead" sends it
    // when the filter first reads the body, after the checks, as the README tells Tomcat users to do
    if (!connector.setProperty("continueResponseTiming", "onRead")) {
      throw new IllegalStateException("Tomcat refused continueResponseTiming");
    }
    SSLHostConfig ssl = new SSLHostConfig();
    ssl.setCertificateVerification("optional");
    ssl.setTrustStore(trustStore);
    SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
    certificate.setCertificateKeystore(keyStore);
    certificate.setCertificateKeystorePassword(TestPki.password());
    certificate.setCertificateKeyAlias("key");
    ssl.addCertificate(certificate);
    connector.addSslHostConfig(ssl);
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    Tomcat.addServlet(context, "app", servlet).setAsyncSupported(true);
    context.addServletMappingDecoded("/*", "app");
    context.addServletContainerInitializer((classes, servletContext) -> ApiSecurityFilter.register(servletContext, security), null);
    tomcat.start();
    return new Running(connector.getLocalPort(), () -> {
      tomcat.stop();
      tomcat.destroy();
    });
  }
}
