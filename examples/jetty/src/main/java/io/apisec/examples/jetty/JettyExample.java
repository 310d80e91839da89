package io.apisec.examples.jetty;

import io.apisec.ApiSecurity;
import io.apisec.Identity;
import io.apisec.config.ConfigLoader;
import io.apisec.servlet.ApiSecurityFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** A plain embedded Jetty 12 service with the apisec Servlet filter registered in code. */
public final class JettyExample {
  private JettyExample() {}

  /** Starts Jetty on {@code 127.0.0.1:port} (0 for a free port) in front of two servlets. */
  public static Server start(ApiSecurity security, int port) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);

    ServletContextHandler context = new ServletContextHandler("/");
    FilterHolder apisec = new FilterHolder(new ApiSecurityFilter(security));
    apisec.setAsyncSupported(true); // a key fetch or a Redis call then releases the container thread
    context.addFilter(apisec, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    context.addServlet(new ServletHolder(new HelloServlet()), "/hello");
    context.addServlet(new ServletHolder(new MeServlet()), "/me");
    server.setHandler(context);
    server.start();
    return server;
  }

  /** The bundled {@code apisec.yaml}. */
  static ApiSecurity bundledSecurity() throws IOException {
    try (InputStream in = JettyExample.class.getResourceAsStream("/apisec.yaml")) {
      return ApiSecurity.of(ConfigLoader.parseYaml(new String(in.readAllBytes(), StandardCharsets.UTF_8), null));
    }
  }

  public static void main(String[] args) throws Exception {
    // a configuration file given on the command line, else the bundled one
    ApiSecurity security = args.length > 0 ? ApiSecurity.fromFile(java.nio.file.Path.of(args[0])) : bundledSecurity();
    Server server = start(security, 8080);
    String base = "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    System.out.println("apisec embedded Jetty example listening on " + base);
    System.out.println("  curl -i " + base + "/hello");
    System.out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" " + base + "/me"
        + "    # a token of the issuer in apisec.yaml, with scope greetings:read");
    server.join();
    security.close();
  }

  private static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      response.setContentType("application/json");
      response.getWriter().write("{\"greeting\":\"hello\"}");
    }
  }

  private static final class MeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
      // the filter put the verified identity here; the route requires a token, so it has a subject
      Identity identity = (Identity) request.getAttribute(ApiSecurityFilter.IDENTITY);
      response.setContentType("application/json");
      response.getWriter().write("{\"subject\":\"" + identity.principalName().orElse("") + "\"}");
    }
  }
}
