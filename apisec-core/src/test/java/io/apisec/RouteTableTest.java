package io.apisec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final Route orders = Route.builder("GET,POST /v1/orders").auth(AuthMode.NONE).build();
  private final Route order = Route.builder("GET /v1/orders/{id}").auth(AuthMode.NONE).build();
  private final Route mine = Route.builder("GET /v1/orders/mine").auth(AuthMode.NONE).build();
  private final Route assets = Route.builder("/static/**").auth(AuthMode.NONE).build();
  private final RouteTable table = new RouteTable(List.of(orders, order, mine, assets));

  @Test
  void literalSegmentBeatsVariable() {
    assertThat(table.match("GET", "/v1/orders/mine").route()).isSameAs(mine);
    assertThat(table.match("GET", "/v1/orders/42").route()).isSameAs(order);
  }

  @Test
  void trailingSlashMatchesTheSameRoute() {
    assertThat(table.match("GET", "/v1/orders/").route()).isSameAs(orders);
  }

  @Test
  void subtreeMatchesAnyDepthAndAnyMethod() {
    assertThat(table.match("DELETE", "/static/css/site.css").route()).isSameAs(assets);
    assertThat(table.match("GET", "/static").route()).isSameAs(assets);
  }

  @Test
  void wrongMethodReportsTheAllowedOnes() {
    RouteTable.Match match = table.match("DELETE", "/v1/orders");
    assertThat(match.found()).isFalse();
    assertThat(match.allowedMethods()).containsExactly("GET", "POST");
  }

  @Test
  void headIsServedByGetRoutes() {
    assertThat(table.match("HEAD", "/v1/orders/7").route()).isSameAs(order);
  }

  @Test
  void unknownPathMatchesNothing() {
    RouteTable.Match match = table.match("GET", "/v2/orders");
    assertThat(match.found()).isFalse();
    assertThat(match.allowedMethods()).isEmpty();
  }

  @Test
  void variablesAreExtracted() {
    assertThat(RouteTable.variables(order, "/v1/orders/42")).containsEntry("id", "42");
  }

  @Test
  void badTemplatesAreRefusedWhenBuilt() {
    assertThatThrownBy(() -> Route.builder("GET v1/orders")).hasMessageContaining("must start with '/'");
    assertThatThrownBy(() -> Route.builder("GET /a/**/b")).hasMessageContaining("'**'");
    assertThatThrownBy(() -> Route.builder("GET /a/{1x}")).hasMessageContaining("Invalid path variable");
    assertThatThrownBy(() -> Route.builder("GET /a/../b")).hasMessageContaining("Invalid path segment");
    assertThatThrownBy(() -> Route.builder("G3T /a")).hasMessageContaining("Invalid method");
  }
}
