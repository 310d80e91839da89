package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.apisec.ApiSecurity;
import io.apisec.AuthMode;
import io.apisec.BodyReader;
import io.apisec.BodyTooLargeException;
import io.apisec.Decision;
import io.apisec.Headers;
import io.apisec.RequestView;
import io.apisec.Route;
import io.apisec.config.ApiSecurityConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Builds payload-stage requests and reads their decisions, for the tests of this package. */
final class PayloadFixture {
  static final ObjectMapper JSON = new ObjectMapper();

  private PayloadFixture() {}

  static Path write(Path dir, String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Route.Builder route(String match) {
    return Route.builder(match).auth(AuthMode.NONE);
  }

  static ApiSecurity security(Route... routes) {
    return security(ApiSecurityConfig.Payload.DEFAULTS, routes);
  }

  static ApiSecurity security(ApiSecurityConfig.Payload payload, Route... routes) {
    ApiSecurityConfig.Builder config = ApiSecurityConfig.builder().payload(payload);
    for (Route route : routes) {
      config.route(route);
    }
    return ApiSecurity.builder(config.build()).auditToSystemLogger(false).build();
  }

  static ApiSecurityConfig.Payload limits(int depth, int string, int number, int properties) {
    ApiSecurityConfig.Payload d = ApiSecurityConfig.Payload.DEFAULTS;
    return new ApiSecurityConfig.Payload(d.defaultDraft(), depth, string, number, properties, d.maxErrors(), d.redact());
  }

  /** A JSON request with Content-Length; the reader records whether it was called. */
  static Decision send(ApiSecurity security, String method, String target, String body) {
    return send(security, method, target, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  static Decision send(ApiSecurity security, String method, String target, String contentType, byte[] body) {
    RecordingBodyReader reader = new RecordingBodyReader(body);
    Headers.Builder headers = Headers.builder().add("Content-Length", Integer.toString(body.length));
    if (contentType != null) {
      headers.add("Content-Type", contentType);
    }
    return evaluate(security, RequestView.builder().method(method).target(target).headers(headers.build()).body(reader).build());
  }

  static Decision evaluate(ApiSecurity security, RequestView request) {
    try {
      return security.evaluate(request).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("evaluate failed", e);
    }
  }

  static JsonNode problem(Decision decision) {
    try {
      return JSON.readTree(((Decision.Deny) decision).body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String slug(Decision decision) {
    return decision instanceof Decision.Deny deny ? deny.reason().slug() : "allow";
  }

  /** Serves a fixed body the way an adapter must: never more than the limit, then fails. */
  static final class RecordingBodyReader implements BodyReader {
    private final byte[] body;
    volatile boolean called;
    volatile long askedLimit = -1;

    RecordingBodyReader(byte[] body) {
      this.body = body;
    }

    @Override
    public CompletionStage<byte[]> read(long maxBytes) {
      called = true;
      askedLimit = maxBytes;
      if (body.length > maxBytes) {
        return CompletableFuture.failedFuture(new BodyTooLargeException(maxBytes));
      }
      return CompletableFuture.completedFuture(body.clone());
    }
  }

  /**
   * A body without Content-Length that arrives in chunks on another thread and stops as soon as one
   * byte more than the limit has arrived, recording how much it consumed.
   */
  static final class ChunkedBodyReader implements BodyReader {
    private final long total;
    private final int chunk;
    volatile long consumed;

    ChunkedBodyReader(long total, int chunk) {
      this.total = total;
      this.chunk = chunk;
    }

    @Override
    public CompletionStage<byte[]> read(long maxBytes) {
      return CompletableFuture.supplyAsync(() -> {
        java.io.ByteArrayOutputStream held = new java.io.ByteArrayOutputStream();
        byte[] piece = new byte[chunk];
        java.util.Arrays.fill(piece, (byte) ' ');
        while (consumed < total) {
          int n = (int) Math.min(chunk, total - consumed);
          consumed += n;
          if (consumed > maxBytes) {
            throw new BodyTooLargeException(maxBytes);
          }
          held.write(piece, 0, n);
        }
        return held.toByteArray();
      });
    }
  }
}
