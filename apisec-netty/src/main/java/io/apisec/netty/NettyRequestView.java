package io.apisec.netty;

import io.apisec.BodyReader;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.TlsInfo;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Translates a Netty request and its channel into a {@link RequestView}. */
final class NettyRequestView {
  private static final AttributeKey<SessionFacts> TLS = AttributeKey.valueOf(NettyRequestView.class, "tls");

  private NettyRequestView() {}

  static RequestView of(Channel channel, HttpRequest request, BodyReader body) {
    Headers.Builder headers = Headers.builder();
    for (Iterator<Map.Entry<String, String>> it = request.headers().iteratorAsString(); it.hasNext(); ) {
      Map.Entry<String, String> field = it.next();
      headers.add(field.getKey(), field.getValue());
    }
    SocketAddress remote = channel.remoteAddress();
    return RequestView.builder()
        .method(request.method().name())
        .target(request.uri())
        .headers(headers.build())
        .remoteAddress(remote instanceof InetSocketAddress ? (InetSocketAddress) remote : null)
        .tls(tls(channel))
        .body(body)
        .build();
  }

  private static TlsInfo tls(Channel channel) {
    Attribute<SessionFacts> slot = channel.attr(TLS);
    SessionFacts facts = slot.get();
    if (facts != null && facts.session == facts.engine.getSession()) {
      return facts.tls;
    }
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return null;
    }
    SSLSession session = ssl.engine().getSession();
    TlsInfo tls = tls(session);
    slot.set(new SessionFacts(ssl.engine(), session, tls));
    return tls;
  }

  /**
   * A connection's TLS facts, read once per TLS session and kept on the channel: reading a
   * session's peer chain throws (and fills a stack trace) whenever the client sent no certificate,
   * so doing it per request was a measurable cost. Reused only while the engine reports the same
   * session object, so a renegotiated session is read afresh.
   */
  private static final class SessionFacts {
    final SSLEngine engine;
    final SSLSession session;
    final TlsInfo tls;

    SessionFacts(SSLEngine engine, SSLSession session, TlsInfo tls) {
      this.engine = engine;
      this.session = session;
      this.tls = tls;
    }
  }

  private static TlsInfo tls(SSLSession session) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate certificate : session.getPeerCertificates()) {
        if (certificate instanceof X509Certificate) {
          chain.add((X509Certificate) certificate);
        }
      }
    } catch (SSLPeerUnverifiedException noClientCertificate) {
      // the client sent none: an empty chain says so
    }
    return new TlsInfo(session.getProtocol(), session.getCipherSuite(), chain);
  }
}
