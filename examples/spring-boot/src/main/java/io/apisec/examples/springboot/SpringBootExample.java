package io.apisec.examples.springboot;

import io.apisec.ApiSecurity;
import io.apisec.config.ConfigLoader;
import io.apisec.servlet.ApiSecurityFilter;
import jakarta.servlet.DispatcherType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.io.Resource;

/**
 * A Spring Boot service whose every request passes the apisec Servlet filter first, configured by
 * the YAML file named by the property {@code apisec.config} (by default {@code apisec.yaml} on the
 * class path).
 */
@SpringBootApplication
public class SpringBootExample {

  /** The pipeline; Spring closes it (its key fetchers and limiters) when the context closes. */
  @Bean
  ApiSecurity apiSecurity(@Value("${apisec.config}") Resource config) throws IOException {
    // a Resource may live inside a jar, so the YAML is read as text; use ApiSecurity.fromFile(path)
    // when the configuration refers to schema files beside it
    return ApiSecurity.of(ConfigLoader.parseYaml(config.getContentAsString(StandardCharsets.UTF_8), null));
  }

  @Bean
  FilterRegistrationBean<ApiSecurityFilter> apisec(ApiSecurity security) {
    FilterRegistrationBean<ApiSecurityFilter> bean = new FilterRegistrationBean<>(new ApiSecurityFilter(security));
    bean.setAsyncSupported(true);
    bean.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
    bean.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return bean;
  }

  public static void main(String[] args) {
    ServletWebServerApplicationContext context =
        (ServletWebServerApplicationContext) SpringApplication.run(SpringBootExample.class, args);
    String base = "http://127.0.0.1:" + context.getWebServer().getPort();
    System.out.println("apisec Spring Boot example listening on " + base);
    System.out.println("  curl -i " + base + "/hello");
    System.out.println("  curl -i -H \"Authorization: Bearer $TOKEN\" " + base + "/me"
        + "    # a token of the issuer in apisec.yaml, with scope greetings:read");
  }
}
