package io.apisec.vertx;

import io.apisec.ApiSecurity;
import io.apisec.BodyReader;
import io.apisec.Decision;
import io.apisec.Identity;
import io.apisec.RequestView;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.impl.RoutingContextInternal;
import io.vertx.ext.web.impl.UserContextImpl;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Runs the apisec pipeline in front of Vert.x: as a {@code Handler<RoutingContext>} on a Router
 * (globally with {@code router.route().handler(...)} or per route), or around a plain {@code
 * HttpServer} request handler with {@link #wrap}.
 *
 * <p>The request is paused while the pipeline runs; it never blocks the event loop, and work that
 * completes on another thread (a key fetch, a Redis call) comes back to the request's context
 * before the response is touched. On allow, the core's headers are set, the verified {@link
 * Identity} is put in the routing context under {@link #IDENTITY} and as the Vert.x {@code User},
 * and a body a stage read becomes the routing context's body (or is replayed to the plain
 * handler); otherwise the request resumes for the next handler. A denial is answered here and the
 * next handler never runs. Thread-safe: one instance may serve every route and verticle.
 *
 * <p>A request with {@code Expect: 100-continue} gets its {@code 100 Continue} when the pipeline
 * first asks for its body, after every check that needs none; a refused one gets its final status
 * without it, and its connection is closed. Leave {@code
 * HttpServerOptions.setHandle100ContinueAutomatically} off (its default): on, Vert.x answers 100
 * before any check runs. A route whose checks read no body leaves the Expect field to the
 * application.
 */
public final class ApiSecurityHandler implements Handler<RoutingContext> {
  /** The routing-context key of the verified {@link Identity}. */
  public static final String IDENTITY = "apisec.identity";

  private final ApiSecurity security;

  private ApiSecurityHandler(ApiSecurity security) {
    this.security = Objects.requireNonNull(security, "security");
  }

  /** A Router handler for {@code security}. */
  public static ApiSecurityHandler create(ApiSecurity security) {
    return new ApiSecurityHandler(security);
  }

  /**
   * Wraps a plain server's request handler: {@code application} sees only allowed requests, with
   * the identity available through {@link #identity(HttpServerRequest)}.
   */
  public static Handler<HttpServerRequest> wrap(ApiSecurity security, Handler<HttpServerRequest> application) {
    Objects.requireNonNull(security, "security");
    Objects.requireNonNull(application, "application");
    return request -> evaluate(security, request, null, (allow, body) -> {
      HttpServerRequest passed = new BufferedServerRequest(
          (HttpServerRequestInternal) request, allow.identity(), body == null ? null : Buffer.buffer(body));
      if (body == null && !request.isEnded()) {
        request.resume();
      }
      application.handle(passed);
    });
  }

  /**
   * A handler for requests the HTTP codec could not parse ({@code HttpServer.invalidRequestHandler}),
   * so that they too are answered with the core's problem document, such as a {@code bad-framing}
   * denial for a request with both Content-Length and Transfer-Encoding.
   */
  public static Handler<HttpServerRequest> invalidRequestHandler(ApiSecurity security) {
    Objects.requireNonNull(security, "security");
    return request -> VertxResponses.deny(request, security.refuseUnparsable(VertxRequestView.of(request, null)), false);
  }

  /** The identity of a request that {@link #wrap} passed on. */
  public static Optional<Identity> identity(HttpServerRequest request) {
    return request instanceof BufferedServerRequest
        ? Optional.of(((BufferedServerRequest) request).identity()) : Optional.empty();
  }

  /** The identity this handler verified for a routing context. */
  public static Optional<Identity> identity(RoutingContext context) {
    return Optional.ofNullable(context.get(IDENTITY));
  }

  @Override
  public void handle(RoutingContext context) {
    HttpServerRequest request = context.request();
    evaluate(security, request, context.body().buffer(), (allow, body) -> {
      context.put(IDENTITY, allow.identity());
      // what the deprecated RoutingContext.setUser does; an AuthenticationHandler would need a
      // credentials round trip that the pipeline has already made
      ((UserContextImpl) context.userContext()).setUser(VertxResponses.user(allow.identity()));
      if (body != null) {
        RoutingContextInternal internal = (RoutingContextInternal) context;
        internal.setBody(Buffer.buffer(body));
        // a BodyHandler further on must not wait for a body that was already read
        internal.visitHandler(RoutingContextInternal.BODY_HANDLER);
      } else if (!request.isEnded()) {
        request.resume();
      }
      context.next();
    });
  }

  /**
   * Evaluates {@code request}; answers a denial, or calls {@code onAllow} with the body a stage
   * read. {@code received} is a body a handler before this one already read (a BodyHandler), or null.
   */
  private static void evaluate(ApiSecurity security, HttpServerRequest request, Buffer received,
      BiConsumer<Decision.Allow, byte[]> onAllow) {
    Context context = Vertx.currentContext();
    VertxRequestView.Body reader = null;
    BodyReader body = null;
    if (!request.isEnded()) {
      request.pause();
      reader = new VertxRequestView.Body(request, context);
      body = reader;
    } else if (received != null) {
      body = VertxRequestView.received(received);
    }
    VertxRequestView.Body streaming = reader;
    RequestView view = VertxRequestView.of(request, body);
    security.evaluate(view).whenComplete((decision, failure) -> onContext(context, request, () -> {
      if (decision == null) {
        request.connection().close();
      } else if (decision instanceof Decision.Deny) {
        // the connection can serve on when nothing of the body is left unread on it
        boolean keep = streaming == null || streaming.ended() || !view.hasBody();
        VertxResponses.deny(request, (Decision.Deny) decision, keep);
        if (keep && !request.isEnded()) {
          request.resume();
        }
      } else {
        VertxResponses.allow(request, (Decision.Allow) decision);
        onAllow.accept((Decision.Allow) decision, streaming == null ? null : view.bufferedBody().orElse(null));
      }
    }));
  }

  /** Runs {@code task} on the request's context; if it throws, the connection closes (fail closed). */
  private static void onContext(Context context, HttpServerRequest request, Runnable task) {
    Runnable guarded = () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        request.connection().close();
        throw e;
      }
    };
    if (Vertx.currentContext() == context) {
      guarded.run();
    } else {
      context.runOnContext(v -> guarded.run());
    }
  }
}
