package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;

/**
 * The filter in embedded Tomcat, registered web.xml-less through a ServletContainerInitializer
 * calling {@link ApiSecurityFilter#register}. Tomcat's lenient URI options are switched on so the
 * filter, not the container, is the line being tested.
 */
class TomcatFilterIT extends ServletFilterContract {
  private Tomcat tomcat;
  private Path base;

  @Override
  int start(ApiSecurity security, TestPki.Issued server, X509Certificate clientCa, EchoServlet echo) throws Exception {
    base = Files.createTempDirectory("tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setSecure(true);
    connector.setScheme("https");
    connector.setProperty("SSLEnabled", "true");
    connector.setProperty("allowBackslash", "true");
    connector.setEncodedSolidusHandling("passthrough");
    SSLHostConfig ssl = new SSLHostConfig();
    ssl.setCertificateVerification("optional");
    ssl.setTrustStore(TestPki.trustStore(clientCa));
    SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.UNDEFINED);
    certificate.setCertificateKeystore(server.keyStore());
    certificate.setCertificateKeystorePassword(TestPki.password());
    certificate.setCertificateKeyAlias("key");
    ssl.addCertificate(certificate);
    connector.addSslHostConfig(ssl);
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    Tomcat.addServlet(context, "echo", echo).setAsyncSupported(true);
    context.addServletMappingDecoded("/*", "echo");
    context.addServletContainerInitializer((classes, servletContext) -> ApiSecurityFilter.register(servletContext, security), null);
    tomcat.start();
    return connector.getLocalPort();
  }

  @Override
  boolean containerDropsContentLengthBesideTransferEncoding() {
    return true;
  }

  @Override
  void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
  }
}
