package io.apisec.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body of the JDK HTTP client into memory up to a limit and fails with
 * {@link TooLarge} past it — at once when the declared {@code Content-Length} is larger, else as
 * soon as the bytes read cross it, cancelling the transfer — so that an endpoint gone wrong (key
 * set, introspection, OCSP responder) cannot exhaust the heap. Not thread-safe: one per response,
 * driven sequentially by the HTTP client.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  private final int limit;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(int limit) {
    this.limit = limit;
  }

  /** A body handler reading at most {@code limit} bytes of any response. */
  public static HttpResponse.BodyHandler<byte[]> handler(int limit) {
    return info -> subscriber(info, limit);
  }

  /** A subscriber reading at most {@code limit} bytes of the response {@code info} describes. */
  public static HttpResponse.BodySubscriber<byte[]> subscriber(HttpResponse.ResponseInfo info, int limit) {
    BoundedBody body = new BoundedBody(limit);
    if (info.headers().firstValueAsLong("content-length").orElse(-1) > limit) {
      body.result.completeExceptionally(new TooLarge(limit));
    }
    return body;
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (result.isDone()) {
      subscription.cancel();
    } else {
      subscription.request(Long.MAX_VALUE);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer item : items) {
      if (buffer.size() + item.remaining() > limit) {
        subscription.cancel();
        result.completeExceptionally(new TooLarge(limit));
        return;
      }
      byte[] bytes = new byte[item.remaining()];
      item.get(bytes);
      buffer.write(bytes, 0, bytes.length);
    }
  }

  @Override
  public void onError(Throwable failure) {
    result.completeExceptionally(failure);
  }

  @Override
  public void onComplete() {
    result.complete(buffer.toByteArray());
  }

  /** The response was larger than the limit; the message is fit for operators. */
  public static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge(int limit) {
      super("the response is larger than " + (limit % 1024 == 0 ? limit / 1024 + "KB" : limit + " bytes"), null);
    }
  }
}
