package io.apisec.netty;

import io.apisec.BodyReader;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.TlsInfo;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Translates a Netty request and its channel into a {@link RequestView}. */
final class NettyRequestView {
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
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl == null) {
      return null;
    }
    SSLSession session = ssl.engine().getSession();
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
