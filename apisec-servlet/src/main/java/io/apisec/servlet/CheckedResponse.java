package io.apisec.servlet;

import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.ResponseCheck;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * The response of an allowed request whose route validates responses: the application's body is
 * held (up to the check's bound) instead of written, so nothing is committed before the core has
 * judged it; then the same bytes go out, or the core's {@code 502} replaces them.
 *
 * <p>Status and headers go straight to the container's response (a refusal resets them); the
 * body, written through {@link #getOutputStream()} or {@link #getWriter()}, is held, and {@code
 * flush}/{@link #flushBuffer()} do not commit while it is. A body that outgrows the bound is
 * passed on as it comes in report-only mode, refused in enforce mode. The response is judged when
 * the chain returns, or, for a request that went async, when the application calls {@link
 * AsyncContext#complete()} on the context it got from {@link Request#startAsync()}. A response
 * made with {@code sendError} or {@code sendRedirect}, or finished through {@code
 * AsyncContext.dispatch}, is the container's and passes unvalidated. Used by one request at a time.
 */
final class CheckedResponse extends HttpServletResponseWrapper {
  private final HttpServletResponse response;
  private final ResponseCheck check;
  private final Decision.Allow allow;
  private final ByteArrayOutputStream held = new ByteArrayOutputStream();
  private ServletOutputStream stream;
  private PrintWriter writer;
  private Charset writerCharset;
  /** The body outgrew the bound in report-only mode: bytes now go straight to the container. */
  private boolean passing;
  /** The body outgrew the bound in enforce mode: bytes are dropped, the response will be a 502. */
  private boolean dropping;
  private boolean finished;
  /** The application used sendError or sendRedirect: the container makes the response. */
  private boolean containerResponse;

  CheckedResponse(HttpServletResponse response, ResponseCheck check, Decision.Allow allow) {
    super(response);
    this.response = response;
    this.check = check;
    this.allow = allow;
  }

  /** Runs the rest of the chain with the response held, and judges it when it is complete. */
  static void doFilter(FilterChain chain, HttpServletRequest request, HttpServletResponse response,
      ResponseCheck check, Decision.Allow allow) throws IOException, ServletException {
    CheckedResponse checked = new CheckedResponse(response, check, allow);
    HttpServletRequest wrapped = checked.new Request(request);
    chain.doFilter(wrapped, checked);
    if (!wrapped.isAsyncStarted()) {
      checked.finish(); // async requests are judged when the application completes them
    }
  }

  /** The request as the application sees it: async work reaches this response and judges it on complete. */
  final class Request extends HttpServletRequestWrapper {
    private AsyncContext async;

    Request(HttpServletRequest request) {
      super(request);
    }

    @Override
    public AsyncContext startAsync() {
      async = new CheckedAsync(super.startAsync(this, CheckedResponse.this));
      return async;
    }

    @Override
    public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
      async = new CheckedAsync(super.startAsync(request, response));
      return async;
    }

    @Override
    public AsyncContext getAsyncContext() {
      return async != null ? async : super.getAsyncContext();
    }
  }

  /** Judges and writes the response; called once the application has produced all of it. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    if (writer != null) {
      writer.flush();
    }
    if (passing || containerResponse) {
      return;
    }
    Headers headers = Headers.builder()
        .add("Content-Type", response.getContentType() == null ? "" : response.getContentType())
        .add("Content-Encoding", response.getHeader("Content-Encoding") == null ? "" : response.getHeader("Content-Encoding"))
        .build();
    ResponseCheck.Verdict verdict = dropping
        ? check.bodyTooLarge(response.getStatus(), headers)
        : check.check(response.getStatus(), headers, held.toByteArray());
    if (!verdict.passes()) {
      refuse(verdict.refusal());
      return;
    }
    if (writer != null) {
      // the container's own writer, so that it adds the charset to the content type as it would have
      PrintWriter out = response.getWriter();
      out.write(new String(held.toByteArray(), writerCharset));
      out.flush();
    } else if (stream != null) {
      held.writeTo(response.getOutputStream());
    }
  }

  private void refuse(Decision.Deny deny) throws IOException {
    response.reset();
    allow.responseHeaders().forEach(response::addHeader);
    deny.responseHeaders().forEach((name, value) -> {
      if (!response.containsHeader(name)) {
        response.addHeader(name, value);
      }
    });
    ServletResponses.writeDenial(deny, response);
  }

  private void hold(byte[] bytes, int offset, int length) throws IOException {
    if (passing) {
      response.getOutputStream().write(bytes, offset, length);
      return;
    }
    if (dropping) {
      return;
    }
    if (held.size() + (long) length <= check.maxBody()) {
      held.write(bytes, offset, length);
      return;
    }
    if (check.enforcing()) {
      dropping = true;
      held.reset();
      return;
    }
    // report-only: what was held goes first, then everything streams on unvalidated
    passing = true;
    String type = response.getContentType();
    check.bodyTooLarge(response.getStatus(), type == null ? Headers.empty() : Headers.of("Content-Type", type));
    ServletOutputStream out = response.getOutputStream();
    held.writeTo(out);
    held.reset();
    out.write(bytes, offset, length);
  }

  @Override
  public ServletOutputStream getOutputStream() {
    if (writer != null) {
      throw new IllegalStateException("getWriter() has already been called for this response");
    }
    if (stream == null) {
      stream = new HeldStream();
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() {
    if (stream != null) {
      throw new IllegalStateException("getOutputStream() has already been called for this response");
    }
    if (writer == null) {
      String encoding = response.getCharacterEncoding();
      writerCharset = encoding == null ? StandardCharsets.ISO_8859_1 : Charset.forName(encoding);
      writer = new PrintWriter(new OutputStreamWriter(new HeldStream(), writerCharset), false);
    }
    return writer;
  }

  @Override
  public void sendError(int status, String message) throws IOException {
    containerResponse = true;
    held.reset();
    response.sendError(status, message);
  }

  @Override
  public void sendError(int status) throws IOException {
    containerResponse = true;
    held.reset();
    response.sendError(status);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    containerResponse = true;
    held.reset();
    response.sendRedirect(location);
  }

  @Override
  public void flushBuffer() throws IOException {
    if (writer != null) {
      writer.flush();
    }
    if (passing) {
      response.flushBuffer();
    }
  }

  @Override
  public void resetBuffer() {
    held.reset();
    response.resetBuffer();
  }

  @Override
  public void reset() {
    held.reset();
    response.reset();
  }

  @Override
  public boolean isCommitted() {
    return response.isCommitted();
  }

  /** The body stream the application writes to: held, never committing on flush while held. */
  private final class HeldStream extends ServletOutputStream {
    @Override
    public void write(int b) throws IOException {
      hold(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      hold(bytes, offset, length);
    }

    @Override
    public void flush() throws IOException {
      if (passing) {
        response.getOutputStream().flush();
      }
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      try {
        listener.onWritePossible(); // writes are held in memory: always possible
      } catch (IOException e) {
        listener.onError(e);
      }
    }
  }

  /** An async context whose {@link #complete()} first judges and writes the held response. */
  private final class CheckedAsync implements AsyncContext {
    private final AsyncContext async;

    CheckedAsync(AsyncContext async) {
      this.async = async;
    }

    @Override
    public void complete() {
      try {
        finish();
      } catch (IOException e) {
        // the client went away: nothing left to answer
      }
      async.complete();
    }

    @Override
    public ServletRequest getRequest() {
      return async.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
      return async.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
      return async.hasOriginalRequestAndResponse();
    }

    @Override
    public void dispatch() {
      passOn();
      async.dispatch();
    }

    @Override
    public void dispatch(String path) {
      passOn();
      async.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
      passOn();
      async.dispatch(context, path);
    }

    /** A dispatch hands the response to other code: what was held goes out as it is. */
    private void passOn() {
      if (finished) {
        return;
      }
      finished = true;
      try {
        if (writer != null) {
          writer.flush();
        }
        if (!passing && !dropping) {
          held.writeTo(response.getOutputStream());
        }
        passing = true;
      } catch (IOException e) {
        // the client went away
      }
    }

    @Override
    public void start(Runnable run) {
      async.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
      async.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
      async.addListener(listener, request, response);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
      return async.createListener(type);
    }

    @Override
    public void setTimeout(long timeout) {
      async.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
      return async.getTimeout();
    }
  }
}
