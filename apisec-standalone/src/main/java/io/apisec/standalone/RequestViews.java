package io.apisec.standalone;

import io.apisec.BodyTooLargeException;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.TlsInfo;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Builds the core's {@link RequestView} over a paused Vert.x request. The body is read only when a
 * stage asks, on the request's event loop, never past the stage's limit; until then the request
 * stays paused so that an allowed request's body streams to the upstream. Stateless.
 */
final class RequestViews {
  private RequestViews() {}

  static RequestView of(HttpServerRequest request, Context context) {
    Headers.Builder headers = Headers.builder();
    for (Map.Entry<String, String> header : request.headers()) {
      headers.add(header.getKey(), header.getValue());
    }
    RequestView.Builder view = RequestView.builder()
        .method(request.method().name())
        .target(request.uri())
        .headers(headers.build())
        .body(maxBytes -> readBody(request, context, maxBytes));
    if (request.remoteAddress() != null && request.remoteAddress().hostAddress() != null) {
      view.remoteAddress(new InetSocketAddress(request.remoteAddress().hostAddress(), request.remoteAddress().port()));
    }
    if (request.isSSL()) {
      view.tls(tls(request.sslSession()));
    }
    return view.build();
  }

  private static TlsInfo tls(SSLSession session) {
    if (session == null) {
      return new TlsInfo("", "", List.of());
    }
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate certificate : session.getPeerCertificates()) {
        if (certificate instanceof X509Certificate) {
          chain.add((X509Certificate) certificate);
        }
      }
    } catch (SSLPeerUnverifiedException noCertificate) {
      // the client sent none: an empty chain says so
    }
    return new TlsInfo(session.getProtocol(), session.getCipherSuite(), chain);
  }

  private static CompletionStage<byte[]> readBody(HttpServerRequest request, Context context, long maxBytes) {
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      if (request.isEnded()) {
        result.complete(new byte[0]);
        return;
      }
      Buffer body = Buffer.buffer();
      request.handler(chunk -> {
        if (result.isDone()) {
          return;
        }
        if (body.length() + (long) chunk.length() > maxBytes) {
          request.pause();
          result.completeExceptionally(new BodyTooLargeException(maxBytes));
          return;
        }
        body.appendBuffer(chunk);
      });
      request.exceptionHandler(result::completeExceptionally);
      request.endHandler(end -> result.complete(body.getBytes()));
      request.resume();
    });
    return result;
  }
}
