package io.apisec.servlet;

import io.apisec.ApiSecurity;
import io.apisec.Decision;
import io.apisec.RequestView;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A Jakarta Servlet filter that runs every request through an {@link ApiSecurity} pipeline.
 *
 * <p>A denied request gets its problem document and never reaches the chain. An allowed one goes
 * on with the verified {@link io.apisec.Identity} as request attribute {@link #IDENTITY} and as
 * {@link HttpServletRequest#getUserPrincipal()}, the request id among its headers, and its body
 * re-readable when a check consumed it. When a check waits on the network (a key fetch, a Redis
 * call) and the request supports async, the container thread is released meanwhile.
 *
 * <p>Register it programmatically ({@link #register}), through Spring Boot's {@code
 * FilterRegistrationBean}, or in {@code web.xml} with the init parameter {@value #CONFIG_PARAM}
 * naming a configuration file. Thread-safe.
 */
public final class ApiSecurityFilter implements Filter {
  /** Request attribute holding the verified {@link io.apisec.Identity}. */
  public static final String IDENTITY = "io.apisec.identity";
  /** Request attribute holding the allowing {@link Decision.Allow}. */
  public static final String DECISION = "io.apisec.decision";
  /** Init (or context) parameter naming a YAML/JSON configuration file. */
  public static final String CONFIG_PARAM = "apisec.config";

  private static final String PENDING = "io.apisec.pending";

  private volatile ApiSecurity security;
  private boolean ownsSecurity;

  /** A filter configured from the {@value #CONFIG_PARAM} init parameter when the container starts it. */
  public ApiSecurityFilter() {}

  /** A filter around an existing pipeline, which the caller keeps and closes. */
  public ApiSecurityFilter(ApiSecurity security) {
    this.security = Objects.requireNonNull(security, "security");
  }

  /**
   * Adds a filter over {@code security} to a servlet context for every path and for the request
   * and async dispatches, with async supported.
   */
  public static FilterRegistration.Dynamic register(ServletContext context, ApiSecurity security) {
    FilterRegistration.Dynamic registration = context.addFilter("apisec", new ApiSecurityFilter(security));
    registration.setAsyncSupported(true);
    registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC), false, "/*");
    return registration;
  }

  @Override
  public void init(FilterConfig config) throws ServletException {
    if (security != null) {
      return;
    }
    String file = config.getInitParameter(CONFIG_PARAM);
    if (file == null) {
      file = config.getServletContext().getInitParameter(CONFIG_PARAM);
    }
    if (file == null) {
      throw new ServletException("apisec: set the init parameter '" + CONFIG_PARAM + "' to a configuration file");
    }
    security = ApiSecurity.fromFile(Path.of(file));
    ownsSecurity = true;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    Object pending = request.getAttribute(PENDING);
    if (pending instanceof Evaluated && request.getDispatcherType() == DispatcherType.ASYNC) {
      request.removeAttribute(PENDING);
      apply((Evaluated) pending, request, response, chain);
      return;
    }
    if (request.getDispatcherType() != DispatcherType.REQUEST) {
      chain.doFilter(req, res);
      return;
    }
    RequestView view = ServletRequestViews.of(request);
    CompletableFuture<Decision> decision = security.evaluate(view).toCompletableFuture();
    if (decision.isDone() || !request.isAsyncSupported()) {
      apply(new Evaluated(view, decision.join()), request, response, chain);
      return;
    }
    AsyncContext async = request.startAsync();
    async.setTimeout(0);
    decision.thenAccept(d -> {
      request.setAttribute(PENDING, new Evaluated(view, d));
      async.dispatch();
    });
  }

  private void apply(Evaluated evaluated, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    Decision decision = evaluated.decision;
    decision.responseHeaders().forEach(response::addHeader);
    if (decision instanceof Decision.Deny) {
      ServletResponses.writeDenial((Decision.Deny) decision, response);
      return;
    }
    Decision.Allow allow = (Decision.Allow) decision;
    AllowedRequest allowed = new AllowedRequest(request, allow, evaluated.view.bufferedBody().orElse(null));
    io.apisec.ResponseCheck check = security.responseCheck(evaluated.view.method(), evaluated.view.rawPath(),
        allow.identity(), allow.requestId()).orElse(null);
    if (check != null) {
      CheckedResponse.doFilter(chain, allowed, response, check, allow);
      return;
    }
    chain.doFilter(allowed, response);
  }

  @Override
  public void destroy() {
    if (ownsSecurity && security != null) {
      security.close();
    }
  }

  private static final class Evaluated {
    final RequestView view;
    final Decision decision;

    Evaluated(RequestView view, Decision decision) {
      this.view = view;
      this.decision = decision;
    }
  }
}
