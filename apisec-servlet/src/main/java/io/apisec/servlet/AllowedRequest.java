package io.apisec.servlet;

import io.apisec.Decision;
import io.apisec.Identity;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** An allowed request as the application sees it: identity, added headers, replayable body. */
final class AllowedRequest extends HttpServletRequestWrapper {
  private final Decision.Allow allow;
  private final byte[] body;
  private final Principal principal;

  AllowedRequest(HttpServletRequest request, Decision.Allow allow, byte[] body) {
    super(request);
    this.allow = allow;
    this.body = body;
    Identity identity = allow.identity();
    this.principal = identity.principalName().<Principal>map(name -> new IdentityPrincipal(name, identity)).orElse(null);
    request.setAttribute(ApiSecurityFilter.IDENTITY, identity);
    request.setAttribute(ApiSecurityFilter.DECISION, allow);
  }

  @Override
  public Principal getUserPrincipal() {
    return principal != null ? principal : super.getUserPrincipal();
  }

  @Override
  public String getRemoteUser() {
    return principal != null ? principal.getName() : super.getRemoteUser();
  }

  @Override
  public String getHeader(String name) {
    String added = allow.upstreamHeaders().firstOrNull(name);
    return added != null ? added : super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    List<String> added = allow.upstreamHeaders().all(name);
    return added.isEmpty() ? super.getHeaders(name) : Collections.enumeration(added);
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    Set<String> names = new LinkedHashSet<>(Collections.list(super.getHeaderNames()));
    names.addAll(allow.upstreamHeaders().names());
    return Collections.enumeration(new ArrayList<>(names));
  }

  @Override
  public ServletInputStream getInputStream() throws java.io.IOException {
    if (body == null) {
      return super.getInputStream();
    }
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    return new ServletInputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
      }

      @Override
      public boolean isFinished() {
        return in.available() == 0;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        try {
          listener.onDataAvailable();
          listener.onAllDataRead();
        } catch (java.io.IOException e) {
          listener.onError(e);
        }
      }
    };
  }

  @Override
  public BufferedReader getReader() throws java.io.IOException {
    if (body == null) {
      return super.getReader();
    }
    String encoding = getCharacterEncoding();
    Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
    return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
  }

  /** The verified caller as a servlet principal. */
  static final class IdentityPrincipal implements Principal {
    private final String name;
    private final Identity identity;

    IdentityPrincipal(String name, Identity identity) {
      this.name = name;
      this.identity = identity;
    }

    @Override
    public String getName() {
      return name;
    }

    /** The full verified identity. */
    Identity identity() {
      return identity;
    }

    @Override
    public String toString() {
      return "IdentityPrincipal[" + name + ']';
    }
  }
}
