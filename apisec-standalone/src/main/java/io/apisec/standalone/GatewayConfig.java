package io.apisec.standalone;

import io.apisec.config.ConfigException;
import io.apisec.config.ConfigNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The gateway's own settings: the {@code gateway:} section of the configuration file (listeners,
 * upstream, identity headers, admin listener, connection limits). Immutable; {@link #read} refuses
 * unknown keys and bad values with the key path and line.
 *
 * @param https the TLS listener, or null when only plain HTTP is served
 * @param http the plain HTTP listener (for use behind a TLS-terminating balancer), or null
 * @param upstream where allowed requests go
 * @param identityHeaders which verified identity facts are passed upstream, in which headers
 * @param admin the admin listener (health, readiness, metrics)
 * @param connections slow-client protection and connection limits
 * @param drainTimeout how long a graceful shutdown waits for requests in flight
 * @param watchConfig whether the configuration file is watched and reloaded when it changes
 */
record GatewayConfig(
    Https https,
    Http http,
    Upstream upstream,
    Map<String, String> identityHeaders,
    Admin admin,
    Connections connections,
    Duration drainTimeout,
    boolean watchConfig) {

  /** The identity facts that may be passed upstream, each in the header an operator names. */
  static final List<String> IDENTITY_FIELDS = List.of(
      "subject", "issuer", "client-id", "scopes", "principal",
      "certificate-subject", "certificate-thumbprint", "certificate-spiffe-id", "client-ip");

  /** The headers identity is passed in when the section sets none. */
  static final Map<String, String> DEFAULT_IDENTITY_HEADERS = defaults();

  GatewayConfig {
    if (https == null && http == null) {
      throw new ConfigException("gateway", "needs at least one listener: https or http");
    }
    Objects.requireNonNull(upstream, "upstream");
    identityHeaders = Map.copyOf(identityHeaders);
  }

  private static Map<String, String> defaults() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("subject", "X-Auth-Subject");
    headers.put("scopes", "X-Auth-Scopes");
    headers.put("client-id", "X-Auth-Client-Id");
    headers.put("certificate-subject", "X-Client-Cert-Subject");
    headers.put("certificate-thumbprint", "X-Client-Cert-Sha256");
    headers.put("client-ip", "X-Client-IP");
    return Map.copyOf(headers);
  }

  /** Client certificate policy of the TLS listener. */
  enum ClientAuth { NONE, OPTIONAL, REQUIRED }

  /**
   * The TLS listener.
   *
   * @param host the address to bind
   * @param port the port (0 picks a free one)
   * @param certificate PEM file with the server certificate chain, leaf first
   * @param privateKey PEM file with the key (PKCS#8, PKCS#1 or SEC1)
   * @param clientCa PEM file with the CAs whose client certificates are accepted, or null
   * @param clientAuth whether client certificates are requested or required
   * @param protocols the enabled protocols, a subset of TLSv1.3 and TLSv1.2
   */
  record Https(String host, int port, Path certificate, Path privateKey, Path clientCa,
      ClientAuth clientAuth, List<String> protocols) {}

  /** The plain HTTP listener. */
  record Http(String host, int port) {}

  /**
   * The upstream.
   *
   * @param uri where requests go, {@code http://host:port}; a path prefix is prepended
   * @param connectTimeout how long a connection attempt may take (then 504)
   * @param timeout how long the upstream may stay silent while answering (then 504)
   * @param poolSize keep-alive connections per event loop
   * @param http2 whether the upstream speaks h2c (prior knowledge), as gRPC servers do
   */
  record Upstream(URI uri, Duration connectTimeout, Duration timeout, int poolSize, boolean http2) {
    String host() {
      return uri.getHost();
    }

    int port() {
      return uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    }

    boolean tls() {
      return uri.getScheme().equals("https");
    }

    /** The path prefix without a trailing slash; empty for none. */
    String pathPrefix() {
      String path = uri.getRawPath();
      if (path == null || path.equals("/")) {
        return "";
      }
      return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
  }

  /** The admin listener. */
  record Admin(String host, int port) {}

  /**
   * Slow-client protection.
   *
   * @param maxConnections most open client connections; more are closed at once
   * @param headerTimeout how long a connection may take to send a request's headers
   * @param idleTimeout how long a connection may stay silent
   * @param maxHeaderSize most bytes of a request's header block
   */
  record Connections(int maxConnections, Duration headerTimeout, Duration idleTimeout, int maxHeaderSize) {
    static final Connections DEFAULTS = new Connections(10_000, Duration.ofSeconds(10), Duration.ofSeconds(60), 16 * 1024);
  }

  /** Reads the {@code gateway} section; {@code base} resolves relative file names. */
  static GatewayConfig read(ConfigNode node, Path base) {
    if (node == null) {
      throw new ConfigException("gateway", "the configuration has no gateway section (listeners and upstream)");
    }
    if (!node.isMap()) {
      throw node.error("expected a mapping with https, http, upstream, identity-headers, admin");
    }
    ConfigNode httpsNode = node.get("https");
    ConfigNode httpNode = node.get("http");
    ConfigNode upstreamNode = node.require("upstream");
    ConfigNode identityNode = node.get("identity-headers");
    ConfigNode adminNode = node.get("admin");
    ConfigNode connectionsNode = node.get("connections");
    ConfigNode drainNode = node.get("drain-timeout");
    ConfigNode watchNode = node.get("watch-config");
    node.rejectUnknownKeys();
    Https https = httpsNode == null ? null : https(httpsNode, base);
    Http http = httpNode == null ? null : http(httpNode);
    if (https == null && http == null) {
      throw node.error("needs at least one listener: https or http");
    }
    return new GatewayConfig(
        https,
        http,
        upstream(upstreamNode),
        identityNode == null ? DEFAULT_IDENTITY_HEADERS : identityHeaders(identityNode),
        adminNode == null ? new Admin("127.0.0.1", 9901) : admin(adminNode),
        connectionsNode == null ? Connections.DEFAULTS : connections(connectionsNode),
        drainNode == null ? Duration.ofSeconds(30) : positive(drainNode),
        watchNode == null || watchNode.bool());
  }

  private static Https https(ConfigNode node, Path base) {
    ConfigNode host = node.get("host");
    ConfigNode port = node.get("port");
    ConfigNode certificate = node.require("certificate");
    ConfigNode key = node.require("private-key");
    ConfigNode clientCa = node.get("client-ca");
    ConfigNode clientAuth = node.get("client-auth");
    ConfigNode protocols = node.get("protocols");
    node.rejectUnknownKeys();
    ClientAuth auth = clientAuth == null
        ? (clientCa == null ? ClientAuth.NONE : ClientAuth.OPTIONAL)
        : ClientAuth.valueOf(clientAuth.oneOf("none", "optional", "required").toUpperCase(Locale.ROOT));
    if (auth != ClientAuth.NONE && clientCa == null) {
      throw clientAuth.error("client-auth " + clientAuth.text() + " needs client-ca (the CAs that issue client certificates)");
    }
    List<String> enabled = List.of("TLSv1.3", "TLSv1.2");
    if (protocols != null) {
      enabled = protocols.strings();
      for (int i = 0; i < enabled.size(); i++) {
        String p = enabled.get(i);
        if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
          throw protocols.items().get(i).error("expected TLSv1.3 or TLSv1.2 (older protocols are refused), found '" + p + "'");
        }
      }
      if (enabled.isEmpty()) {
        throw protocols.error("needs at least one of TLSv1.3, TLSv1.2");
      }
    }
    return new Https(
        host == null ? "0.0.0.0" : host.string(),
        port == null ? 8443 : port(port),
        file(certificate, base),
        file(key, base),
        clientCa == null ? null : file(clientCa, base),
        auth,
        List.copyOf(enabled));
  }

  private static Http http(ConfigNode node) {
    ConfigNode host = node.get("host");
    ConfigNode port = node.get("port");
    node.rejectUnknownKeys();
    return new Http(host == null ? "0.0.0.0" : host.string(), port == null ? 8080 : port(port));
  }

  private static Admin admin(ConfigNode node) {
    ConfigNode host = node.get("host");
    ConfigNode port = node.get("port");
    node.rejectUnknownKeys();
    return new Admin(host == null ? "127.0.0.1" : host.string(), port == null ? 9901 : port(port));
  }

  private static Upstream upstream(ConfigNode node) {
    if (node.isScalar()) {
      return new Upstream(uri(node), Duration.ofSeconds(5), Duration.ofSeconds(30), 64, false);
    }
    ConfigNode url = node.require("url");
    ConfigNode connect = node.get("connect-timeout");
    ConfigNode timeout = node.get("timeout");
    ConfigNode pool = node.get("pool-size");
    ConfigNode h2 = node.get("http2");
    node.rejectUnknownKeys();
    int poolSize = pool == null ? 64 : pool.intValue();
    if (poolSize <= 0) {
      throw pool.error("pool-size must be positive: " + poolSize);
    }
    return new Upstream(
        uri(url),
        connect == null ? Duration.ofSeconds(5) : positive(connect),
        timeout == null ? Duration.ofSeconds(30) : positive(timeout),
        poolSize,
        h2 != null && h2.bool());
  }

  private static URI uri(ConfigNode node) {
    String text = node.string();
    URI uri;
    try {
      uri = new URI(text);
    } catch (java.net.URISyntaxException e) {
      throw node.error("not a URL: '" + text + "'");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
      throw node.error("expected an http:// or https:// URL with a host, found '" + text + "'");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw node.error("the upstream URL takes no query or fragment: '" + text + "'");
    }
    return uri;
  }

  private static Map<String, String> identityHeaders(ConfigNode node) {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String field : IDENTITY_FIELDS) {
      ConfigNode value = node.get(field); // marks every known field read, so a typo gets a suggestion
      if (value == null) {
        continue;
      }
      String header = value.string();
      if (!header.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
        throw value.error("not a valid header name: '" + header + "'");
      }
      headers.put(field, header);
    }
    node.rejectUnknownKeys();
    return headers;
  }

  private static Connections connections(ConfigNode node) {
    ConfigNode max = node.get("max");
    ConfigNode header = node.get("header-timeout");
    ConfigNode idle = node.get("idle-timeout");
    ConfigNode headerSize = node.get("max-header-size");
    node.rejectUnknownKeys();
    Connections d = Connections.DEFAULTS;
    int maxConnections = max == null ? d.maxConnections() : max.intValue();
    if (maxConnections <= 0) {
      throw max.error("max must be positive: " + maxConnections);
    }
    return new Connections(
        maxConnections,
        header == null ? d.headerTimeout() : positive(header),
        idle == null ? d.idleTimeout() : positive(idle),
        headerSize == null ? d.maxHeaderSize() : (int) Math.min(Integer.MAX_VALUE, headerSize.size()));
  }

  private static int port(ConfigNode node) {
    int port = node.intValue();
    if (port < 0 || port > 65535) {
      throw node.error("expected a port between 0 and 65535, found " + port);
    }
    return port;
  }

  private static Duration positive(ConfigNode node) {
    Duration d = node.duration();
    if (d.isZero()) {
      throw node.error("must be longer than zero");
    }
    return d;
  }

  private static Path file(ConfigNode node, Path base) {
    Path path = base == null ? Path.of(node.string()) : base.resolve(node.string());
    if (!Files.isRegularFile(path)) {
      throw node.error("file not found: " + path);
    }
    return path;
  }
}
