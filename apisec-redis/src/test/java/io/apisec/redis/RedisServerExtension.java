package io.apisec.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real redis-server for a test class, started on a free loopback port before its first test
 * and stopped after its last: {@code @RegisterExtension static final RedisServerExtension redis =
 * new RedisServerExtension();}. Without {@code redis-server} it fails as {@link RedisServerProcess}
 * does (loudly under {@code CI=true}).
 */
final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
  private RedisServerProcess server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = RedisServerProcess.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
  }

  String uri() {
    return server.uri();
  }

  String cli(String... args) {
    return server.cli(args);
  }
}
