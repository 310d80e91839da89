package io.apisec.jwt;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into memory up to a limit, and fails (cancelling the transfer) past it, so
 * that a key endpoint gone wrong cannot exhaust the heap. Not thread-safe (one per response, driven
 * sequentially by the HTTP client).
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  private final int limit;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private Flow.Subscription subscription;

  private BoundedBody(int limit) {
    this.limit = limit;
  }

  /** A body handler reading at most {@code limit} bytes. */
  static HttpResponse.BodyHandler<byte[]> handler(int limit) {
    return info -> new BoundedBody(limit);
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> items) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer item : items) {
      if (buffer.size() + item.remaining() > limit) {
        subscription.cancel();
        result.completeExceptionally(new JwksKeySource.KeySourceException(
            "the response is larger than " + limit / 1024 + "KB"));
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
}
