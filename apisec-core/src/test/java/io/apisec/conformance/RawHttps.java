package io.apisec.conformance;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** A raw HTTP/1.1 client over TLS for requests the JDK client refuses to send, and for pipelining. */
final class RawHttps implements AutoCloseable {
  private final SSLSocket socket;
  private final InputStream in;

  RawHttps(SSLContext context, int port) throws IOException {
    socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    in = new java.io.BufferedInputStream(socket.getInputStream());
  }

  /** One parsed response. Header names are lower case. */
  record Response(int status, Map<String, List<String>> headers, byte[] body) {
    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null ? null : values.get(0);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /** Reads the next response on the connection (framed by Content-Length, chunks, or close). */
  Response read() throws IOException {
    String statusLine = line();
    while (statusLine.isEmpty()) {
      statusLine = line();
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line = line(); !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> length = headers.get("content-length");
    List<String> coding = headers.get("transfer-encoding");
    if (coding != null && coding.get(0).equalsIgnoreCase("chunked")) {
      for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
        body.write(in.readNBytes(size));
        line();
      }
      for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
        // trailers are not used by any case
      }
    } else if (length != null) {
      int n = Integer.parseInt(length.get(0));
      byte[] bytes = in.readNBytes(n);
      if (bytes.length != n) {
        throw new EOFException("response body ended after " + bytes.length + " of " + n + " bytes");
      }
      body.write(bytes);
    } else if (status >= 200 && status != 204 && status != 304) {
      body.write(in.readAllBytes());
    }
    return new Response(status, headers, body.toByteArray());
  }

  /** Whether the server closed the connection (reads end of stream within the socket timeout). */
  boolean closedByServer() {
    try {
      return in.read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Whether the server closes the connection within {@code limit}: reads end of stream (or a reset)
   * before the deadline. Unlike {@link #closedByServer}, a connection left open reads as false.
   */
  boolean endsWithin(java.time.Duration limit) throws IOException {
    int previous = socket.getSoTimeout();
    socket.setSoTimeout((int) limit.toMillis());
    try {
      return in.read() < 0;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(previous);
      }
    }
  }

  private String line() throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("connection closed after '" + line + "'");
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
