package io.apisec.vertx;

import io.apisec.TlsInfo;
import io.netty.channel.Channel;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLSession;

/**
 * What a request's connection tells about every request on it (the peer's address, the TLS
 * facts), translated once per connection and kept on its Netty channel.
 *
 * <p>Translating per request was measurable: reading a TLS session's peer chain throws (and fills a
 * stack trace) whenever the client sent no certificate, which cost the gateway 4 % of its CPU under
 * load, and the address was re-parsed each time. A cached value is reused only while the connection
 * still reports the same session and address objects, so a renegotiated session is read afresh.
 * Thread-safe: a channel's attribute is read and written on its event loop.
 */
final class ConnectionFacts {
  private static final AttributeKey<ConnectionFacts> KEY = AttributeKey.valueOf(ConnectionFacts.class, "facts");

  private final SocketAddress address;
  private final InetSocketAddress remote;
  private final SSLSession session;
  private final TlsInfo tls;

  private ConnectionFacts(SocketAddress address, InetSocketAddress remote, SSLSession session, TlsInfo tls) {
    this.address = address;
    this.remote = remote;
    this.session = session;
    this.tls = tls;
  }

  /** The request's peer address, or null when it has none. */
  static InetSocketAddress remoteAddress(HttpServerRequest request) {
    SocketAddress address = request.remoteAddress();
    Attribute<ConnectionFacts> slot = slot(request.connection());
    ConnectionFacts facts = slot == null ? null : slot.get();
    if (facts != null && facts.address == address) {
      return facts.remote;
    }
    InetSocketAddress remote = VertxRequestView.address(address);
    if (slot != null) {
      slot.set(facts == null ? new ConnectionFacts(address, remote, null, null)
          : new ConnectionFacts(address, remote, facts.session, facts.tls));
    }
    return remote;
  }

  /** The TLS facts of a request that came over TLS, or null when its session is unknown. */
  static TlsInfo tls(HttpServerRequest request) {
    SSLSession session = request.sslSession();
    if (session == null) {
      return null;
    }
    Attribute<ConnectionFacts> slot = slot(request.connection());
    ConnectionFacts facts = slot == null ? null : slot.get();
    if (facts != null && facts.session == session) {
      return facts.tls;
    }
    TlsInfo tls = VertxRequestView.tls(session);
    if (slot != null) {
      slot.set(facts == null ? new ConnectionFacts(null, null, session, tls)
          : new ConnectionFacts(facts.address, facts.remote, session, tls));
    }
    return tls;
  }

  private static Attribute<ConnectionFacts> slot(HttpConnection connection) {
    if (connection instanceof ConnectionBase) {
      Channel channel = ((ConnectionBase) connection).channel();
      return channel == null ? null : channel.attr(KEY);
    }
    return null;
  }
}
