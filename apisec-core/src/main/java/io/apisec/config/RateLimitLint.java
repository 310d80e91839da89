package io.apisec.config;

/** The start-up lint's checks of rate limiting. Stateless. */
final class RateLimitLint {
  private RateLimitLint() {}

  static void check(ApiSecurityConfig config) {
    if ("open".equals(config.rateLimitStore().settings().get("on-failure"))) {
      StartupLint.refuse(config, "rate-limit-fail-open", "store.on-failure",
          "'open' lifts every rate limit while the store is unreachable, which an attacker can bring about");
    }
  }
}
