package io.apisec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Matches a method and a normalised path to the most specific route. A literal segment beats a
 * {@code {variable}} segment, which beats a trailing {@code /**}; a trailing slash in the request
 * is ignored, so {@code /admin/} is protected exactly like {@code /admin}. Immutable.
 */
final class RouteTable {
  private final List<Compiled> routes;

  RouteTable(List<Route> routes) {
    List<Compiled> compiled = new ArrayList<>();
    for (Route route : routes) {
      compiled.add(new Compiled(route));
    }
    compiled.sort(Comparator.comparing((Compiled c) -> c.rank).reversed());
    this.routes = List.copyOf(compiled);
  }

  static void validateTemplate(String template, String match) {
    if (!template.startsWith("/")) {
      throw new IllegalArgumentException("Route path must start with '/': '" + match + "'");
    }
    String[] segments = split(template);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.equals("**")) {
        if (i != segments.length - 1) {
          throw new IllegalArgumentException("'**' may only end a route path: '" + match + "'");
        }
      } else if (s.startsWith("{")) {
        if (!s.matches("\\{[A-Za-z_][A-Za-z0-9_]*}")) {
          throw new IllegalArgumentException("Invalid path variable '" + s + "' in route '" + match + "'");
        }
      } else if (s.isEmpty() || s.equals(".") || s.equals("..") || s.contains("{") || s.contains("}")
          || s.contains("*") || s.contains("%") || s.contains(";")) {
        throw new IllegalArgumentException("Invalid path segment '" + s + "' in route '" + match + "'");
      }
    }
  }

  private static String[] split(String path) {
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    return trimmed.equals("/") ? new String[0] : trimmed.substring(1).split("/", -1);
  }

  /** The outcome of a lookup: a route, or why none fits. */
  record Match(Route route, Set<String> allowedMethods) {
    boolean found() {
      return route != null;
    }
  }

  Match match(String method, String path) {
    String[] segments = split(path);
    Set<String> allowed = null;
    for (Compiled c : routes) {
      if (c.matches(segments)) {
        if (c.route.methods().isEmpty() || c.route.methods().contains(method)
            || method.equals("HEAD") && c.route.methods().contains("GET")) {
          return new Match(c.route, Set.of());
        }
        if (allowed == null) {
          allowed = new TreeSet<>();
        }
        allowed.addAll(c.route.methods());
      }
    }
    return new Match(null, allowed == null ? Set.of() : allowed);
  }

  /** Path variables of a matched route, decoded. */
  static Map<String, String> variables(Route route, String path) {
    String[] template = split(route.pathTemplate());
    String[] segments = split(path);
    java.util.LinkedHashMap<String, String> vars = new java.util.LinkedHashMap<>();
    for (int i = 0; i < template.length && i < segments.length; i++) {
      if (template[i].startsWith("{")) {
        vars.put(template[i].substring(1, template[i].length() - 1), segments[i]);
      }
    }
    return vars;
  }

  private static final class Compiled {
    final Route route;
    final String[] template;
    final boolean subtree;
    final String rank;

    Compiled(Route route) {
      this.route = route;
      String[] t = split(route.pathTemplate());
      this.subtree = t.length > 0 && t[t.length - 1].equals("**");
      this.template = subtree ? java.util.Arrays.copyOf(t, t.length - 1) : t;
      // rank: per segment 2 for a literal, 1 for a variable; exact routes before subtrees of equal prefix
      StringBuilder r = new StringBuilder();
      for (String s : template) {
        r.append(s.startsWith("{") ? '1' : '2');
      }
      r.append(subtree ? '0' : '9');
      this.rank = r.toString();
    }

    boolean matches(String[] segments) {
      if (subtree ? segments.length < template.length : segments.length != template.length) {
        return false;
      }
      for (int i = 0; i < template.length; i++) {
        if (!template[i].startsWith("{") && !template[i].equals(segments[i])) {
          return false;
        }
      }
      return true;
    }
  }
}
