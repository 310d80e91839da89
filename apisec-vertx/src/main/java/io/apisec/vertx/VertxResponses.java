package io.apisec.vertx;

import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.Identity;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;

/** Writes the core's decisions onto Vert.x requests and responses. */
final class VertxResponses {
  private VertxResponses() {}

  /** Answers a denial; closes an HTTP/1 connection after it unless the request body was consumed. */
  static void deny(HttpServerRequest request, Decision.Deny deny, boolean bodyConsumed) {
    HttpServerResponse response = request.response();
    // an HTTP/2 stream ends with its response; only an HTTP/1 connection carries unread bytes on
    boolean keepConnection = bodyConsumed || request.version() == HttpVersion.HTTP_2;
    if (response.ended() || response.closed()) {
      return;
    }
    byte[] body = deny.body();
    response.setStatusCode(deny.status());
    replace(response.headers(), deny.responseHeaders());
    response.putHeader("Content-Type", deny.contentType());
    if (!keepConnection) {
      response.putHeader("Connection", "close");
    }
    response.end(Buffer.buffer(body)).onComplete(done -> {
      if (!keepConnection) {
        request.connection().close();
      }
    });
  }

  /** Puts the allow's response headers on the response and its upstream headers on the request. */
  static void allow(HttpServerRequest request, Decision.Allow allow) {
    replace(request.response().headers(), allow.responseHeaders());
    replace(request.headers(), allow.upstreamHeaders());
  }

  static void replace(MultiMap target, Headers fields) {
    // removing a name twice is harmless, and saves building the set of names on every request
    fields.forEach((name, value) -> target.remove(name));
    fields.forEach(target::add);
  }

  /** The identity as a Vert.x user: principal name, client address, certificate and claims. */
  static User user(Identity identity) {
    JsonObject principal = new JsonObject();
    identity.principalName().ifPresent(name -> principal.put("sub", name));
    principal.put("client_ip", identity.clientIp());
    identity.certificate().ifPresent(c -> principal.put("certificate", new JsonObject()
        .put("subject", c.subject())
        .put("issuer", c.issuer())
        .put("x5t#S256", c.sha256Thumbprint())));
    identity.claims().ifPresent(claims -> principal.put("claims", new JsonObject(claims.asMap())));
    return User.create(principal);
  }
}
