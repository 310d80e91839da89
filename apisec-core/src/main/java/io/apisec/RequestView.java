package io.apisec;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A framework-neutral, read-only view of one HTTP request, built by an adapter and handed to
 * {@link ApiSecurity#evaluate}.
 *
 * <p>The adapter gives what it received: method, the raw path exactly as it arrived (still
 * percent-encoded), the raw query, the header fields, the peer address and the TLS facts. The
 * pipeline adds the normalised path before any route matching. The body is read only when a stage
 * asks for it, through the adapter's {@link BodyReader}, never past the limit that stage sets;
 * once read it is kept so the adapter can hand it on to the application.
 *
 * <p>Thread-safety: the view may be read from any thread; its body is read at most once.
 */
public final class RequestView {
  private final String method;
  private final String rawPath;
  private final String rawQuery;
  private final String path;
  private final Headers headers;
  private final InetSocketAddress remoteAddress;
  private final TlsInfo tls;
  private final BodyReader bodyReader;
  private final BodyHolder body;

  private RequestView(Builder b, String path, BodyHolder body) {
    this.method = b.method;
    this.rawPath = b.rawPath;
    this.rawQuery = b.rawQuery;
    this.headers = b.headers;
    this.remoteAddress = b.remoteAddress;
    this.tls = b.tls;
    this.bodyReader = b.bodyReader;
    this.path = path;
    this.body = body;
  }

  private RequestView(RequestView base, String path) {
    this.method = base.method;
    this.rawPath = base.rawPath;
    this.rawQuery = base.rawQuery;
    this.headers = base.headers;
    this.remoteAddress = base.remoteAddress;
    this.tls = base.tls;
    this.bodyReader = base.bodyReader;
    this.body = base.body;
    this.path = path;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The request method, upper case as sent. */
  public String method() {
    return method;
  }

  /** The path as it arrived, percent-encoded, without the query. */
  public String rawPath() {
    return rawPath;
  }

  /**
   * The normalised, percent-decoded path that routes are matched against. Before the pipeline's
   * hygiene check this is the raw path.
   */
  public String path() {
    return path;
  }

  /** The raw query string without the leading {@code ?}, or {@code null} when absent. */
  public String rawQuery() {
    return rawQuery;
  }

  public Headers headers() {
    return headers;
  }

  /** The address of the immediate peer (which may be a proxy). */
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  /** The TLS facts of the connection, or empty for plain HTTP. */
  public Optional<TlsInfo> tls() {
    return Optional.ofNullable(tls);
  }

  /** Whether the request arrived over TLS. */
  public boolean secure() {
    return tls != null;
  }

  /** Whether the request may carry a body (it declares a length above zero or a transfer coding). */
  public boolean hasBody() {
    if (bodyReader == null) {
      return false;
    }
    String length = headers.firstOrNull("content-length");
    return headers.contains("transfer-encoding") || (length != null && !length.equals("0"));
  }

  /**
   * Reads the body, at most {@code maxBytes} of it; completes exceptionally with {@link
   * BodyTooLargeException} past that. Later calls return the same body.
   */
  public CompletionStage<byte[]> body(long maxBytes) {
    return body.read(bodyReader, maxBytes);
  }

  /** The body if a stage read it, so the adapter can pass it on to the application. */
  public Optional<byte[]> bufferedBody() {
    return Optional.ofNullable(body.value);
  }

  RequestView withPath(String normalisedPath) {
    return new RequestView(this, normalisedPath);
  }

  @Override
  public String toString() {
    return "RequestView[" + method + ' ' + rawPath + ']';
  }

  private static final class BodyHolder {
    private static final byte[] NONE = new byte[0];
    private volatile CompletionStage<byte[]> reading;
    private volatile byte[] value;

    synchronized CompletionStage<byte[]> read(BodyReader reader, long maxBytes) {
      if (reading == null) {
        if (reader == null) {
          value = NONE;
          reading = CompletableFuture.completedFuture(NONE);
        } else {
          reading = reader.read(maxBytes).thenApply(bytes -> {
            value = bytes;
            return bytes;
          });
        }
      }
      return reading;
    }
  }

  /** Builds a view; used by adapters. Not thread-safe. */
  public static final class Builder {
    private String method;
    private String rawPath;
    private String rawQuery;
    private Headers headers = Headers.empty();
    private InetSocketAddress remoteAddress;
    private TlsInfo tls;
    private BodyReader bodyReader;

    private Builder() {}

    public Builder method(String method) {
      this.method = Objects.requireNonNull(method, "method");
      return this;
    }

    /** The request target's path, still percent-encoded, without the query. */
    public Builder rawPath(String rawPath) {
      this.rawPath = Objects.requireNonNull(rawPath, "rawPath");
      return this;
    }

    /** Splits a raw request target ({@code /a/b?x=1}) into raw path and query. */
    public Builder target(String rawTarget) {
      int q = rawTarget.indexOf('?');
      this.rawPath = q < 0 ? rawTarget : rawTarget.substring(0, q);
      this.rawQuery = q < 0 ? null : rawTarget.substring(q + 1);
      return this;
    }

    public Builder rawQuery(String rawQuery) {
      this.rawQuery = rawQuery;
      return this;
    }

    public Builder headers(Headers headers) {
      this.headers = Objects.requireNonNull(headers, "headers");
      return this;
    }

    public Builder remoteAddress(InetSocketAddress remoteAddress) {
      this.remoteAddress = remoteAddress;
      return this;
    }

    public Builder tls(TlsInfo tls) {
      this.tls = tls;
      return this;
    }

    public Builder body(BodyReader bodyReader) {
      this.bodyReader = bodyReader;
      return this;
    }

    public RequestView build() {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(rawPath, "rawPath");
      return new RequestView(this, rawPath, new BodyHolder());
    }
  }
}
