package io.apisec.vertx;

import io.apisec.BodyReader;
import io.apisec.BodyTooLargeException;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.TlsInfo;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** Translates a Vert.x server request into a {@link RequestView}, with a body reader over it. */
final class VertxRequestView {
  private VertxRequestView() {}

  static RequestView of(HttpServerRequest request, BodyReader body) {
    Headers.Builder headers = Headers.builder();
    for (Map.Entry<String, String> field : request.headers()) {
      headers.add(field.getKey(), field.getValue());
    }
    return RequestView.builder()
        .method(request.method().name())
        .target(request.uri())
        .headers(headers.build())
        .remoteAddress(ConnectionFacts.remoteAddress(request))
        .tls(request.isSSL() ? ConnectionFacts.tls(request) : null)
        .body(body)
        .build();
  }

  static InetSocketAddress address(SocketAddress address) {
    if (address == null || address.hostAddress() == null) {
      return null;
    }
    try {
      // an IP literal: parsed, never looked up
      return new InetSocketAddress(InetAddress.getByName(address.hostAddress()), address.port());
    } catch (UnknownHostException e) {
      return null;
    }
  }

  static TlsInfo tls(SSLSession session) {
    if (session == null) {
      return null;
    }
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

  /** A reader over a body that an earlier handler already received whole. */
  static BodyReader received(Buffer body) {
    return maxBytes -> body.length() > maxBytes
        ? CompletableFuture.failedFuture(new BodyTooLargeException(maxBytes))
        : CompletableFuture.completedFuture(body.getBytes());
  }

  /**
   * Invites the body of an HTTP/1.1 request that waits for {@code 100 Continue}: called when the core
   * first asks for the body, after every check that needs none, so a refused client never gets to
   * upload. The Expect field is removed so that the application does not answer it a second time.
   * Vert.x's {@code handle100ContinueAutomatically} must stay off, or it answers before the checks.
   */
  static void continueIfExpected(HttpServerRequest request) {
    if (request.version() != HttpVersion.HTTP_1_1 || request.isEnded()) {
      return;
    }
    String expect = request.getHeader(HttpHeaders.EXPECT);
    if (expect != null && expect.equalsIgnoreCase("100-continue")) {
      request.headers().remove(HttpHeaders.EXPECT);
      request.response().writeContinue();
    }
  }

  /**
   * Reads a paused request's body on its context when the core asks, stopping at the limit: past
   * it the request stays paused and the read fails with {@link BodyTooLargeException}.
   */
  static final class Body implements BodyReader {
    private final HttpServerRequest request;
    private final Context context;
    private boolean ended;

    Body(HttpServerRequest request, Context context) {
      this.request = request;
      this.context = context;
    }

    /** Whether the whole body was received (so the connection can be kept after a denial). */
    boolean ended() {
      return ended;
    }

    @Override
    public CompletionStage<byte[]> read(long maxBytes) {
      CompletableFuture<byte[]> result = new CompletableFuture<>();
      context.runOnContext(v -> {
        if (request.isEnded()) {
          ended = true;
          result.complete(new byte[0]);
          return;
        }
        continueIfExpected(request);
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
        request.endHandler(end -> {
          ended = true;
          result.complete(body.getBytes());
        });
        request.resume();
      });
      return result;
    }
  }
}
