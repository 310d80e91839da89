package io.apisec.examples.springboot;

import io.apisec.Identity;
import io.apisec.servlet.ApiSecurityFilter;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RestController;

/** The application's endpoints; they run only for requests the filter allowed. */
@RestController
class GreetingController {

  @GetMapping("/hello")
  Map<String, String> hello() {
    return Map.of("greeting", "hello");
  }

  /** The filter put the verified identity in the request attribute {@code io.apisec.identity}. */
  @GetMapping("/me")
  Map<String, String> me(@RequestAttribute(ApiSecurityFilter.IDENTITY) Identity identity) {
    return Map.of("subject", identity.principalName().orElse(""), "clientIp", identity.clientIp());
  }
}
