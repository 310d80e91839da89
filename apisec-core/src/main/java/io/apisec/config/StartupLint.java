package io.apisec.config;

import io.apisec.internal.IpRange;

/**
 * Refuses settings that are legal but dangerous, naming each, unless the operator accepted it
 * explicitly with {@code allow-risky}.
 */
final class StartupLint {
  private StartupLint() {}

  static void check(ApiSecurityConfig config) {
    for (IpRange range : config.trustedProxies()) {
      if (range.isEverything()) {
        refuse(config, "trust-all-proxies", "trusted-proxies",
            "'" + range + "' trusts forwarding headers from every address, so any client can forge its IP and certificate");
      }
    }
    if (config.defaultAllow()) {
      refuse(config, "default-allow", "default",
          "'allow' lets every request that matches no route through unchecked");
    }
    if (!config.mtls().requireClientAuthEku()) {
      refuse(config, "no-client-auth-eku", "mtls.require-eku",
          "'false' accepts certificates issued for other purposes (such as a server's) as client identities");
    }
    if (config.mtls().ocsp().mode() == OcspSettings.Mode.SOFT_FAIL) {
      refuse(config, "ocsp-soft-fail", "mtls.ocsp.mode",
          "'soft-fail' lets a revoked certificate through whenever its OCSP responder is unreachable, which an attacker may arrange");
    }
    JwtLint.check(config);
    RateLimitLint.check(config);
  }

  static void refuse(ApiSecurityConfig config, String risk, String key, String why) {
    if (!config.allowRisky().contains(risk)) {
      throw new ConfigException(key, why + " (accept it explicitly with allow-risky: [" + risk + "])");
    }
  }
}
