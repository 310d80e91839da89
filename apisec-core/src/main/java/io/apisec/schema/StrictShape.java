package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The property names a schema declares at each place of a document, for strict mode: it refuses
 * every property that the schema does not declare, even where the schema forgot {@code
 * additionalProperties: false} (a defence against mass assignment).
 *
 * <p>The exact rule. At each place of the body, the <em>applicable subschemas</em> are the schema
 * for that place plus, transitively, everything it reaches through {@code $ref} (also {@code
 * $dynamicRef} and {@code $recursiveRef}, followed as plain references), {@code allOf}, {@code
 * anyOf}, {@code oneOf}, {@code if}/{@code then}/{@code else}, {@code dependentSchemas} and
 * {@code dependencies}. Branches are united, whether or not the body matches them: a property
 * declared by any branch of a {@code oneOf} is declared. {@code not} declares nothing.
 * <ul>
 *   <li>A property of an object is <em>declared</em> when an applicable subschema lists it under
 *       {@code properties} or one of its {@code patternProperties} patterns finds the name.
 *   <li>Where an applicable subschema sets {@code additionalProperties} or {@code
 *       unevaluatedProperties} to anything other than {@code false} (to {@code true} or a schema),
 *       the author allowed extra properties on purpose: strict mode refuses nothing there, and
 *       checks extra properties' values against those schemas' own declarations.
 *   <li>Strict mode only looks at an object when an applicable subschema describes one: it has
 *       {@code properties}, {@code patternProperties}, {@code additionalProperties}, {@code
 *       unevaluatedProperties}, {@code required}, or a {@code type} that is or includes {@code
 *       object}. A free-form value ({@code {}}, {@code true}) is left alone; {@code {type: object}}
 *       with no properties accepts only the empty object.
 *   <li>Array elements are checked against the union of {@code items}, {@code prefixItems},
 *       {@code additionalItems}, {@code unevaluatedItems} and {@code contains}.
 * </ul>
 * The schema validator runs too, so whatever it refuses stays refused; strict mode only adds
 * refusals. Thread-safe: shapes are built at start; combinations of pattern matches met at run
 * time are built once, under a lock, and cached.
 */
final class StrictShape {
  /** The shape that checks nothing. */
  static final StrictShape ANY = new StrictShape(null);
  private static final int MAX_CACHED_COMBINATIONS = 256;

  private final Compiler compiler;
  private boolean describesObject;
  private boolean open;
  private final Map<String, StrictShape> declared = new HashMap<>();
  private Pattern[] patterns = new Pattern[0];
  private List<List<SchemaDocuments.Located>> patternSchemas = new ArrayList<>();
  private List<SchemaDocuments.Located> additionalSchemas = new ArrayList<>();
  private StrictShape additional = ANY;
  private StrictShape items = ANY;
  private final Map<Long, StrictShape> patternCombinations = new ConcurrentHashMap<>();

  private StrictShape(Compiler compiler) {
    this.compiler = compiler;
  }

  /** Checks {@code node}, adding a {@code strict} violation for each undeclared property. */
  void check(JsonNode node, Violations violations) {
    check(node, new ArrayList<>(8), violations);
  }

  private void check(JsonNode node, List<Object> path, Violations violations) {
    if (this == ANY) {
      return;
    }
    if (node.isObject() && describesObject) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String name = field.getKey();
        StrictShape child = child(name);
        path.add(name);
        if (child == null) {
          violations.add(pointer(path), "strict",
              "property '" + Violations.shorten(name, 64) + "' is not declared in the schema");
        } else {
          child.check(field.getValue(), path, violations);
        }
        path.remove(path.size() - 1);
      }
    } else if (node.isArray() && items != ANY) {
      for (int i = 0; i < node.size(); i++) {
        path.add(i);
        items.check(node.get(i), path, violations);
        path.remove(path.size() - 1);
      }
    }
  }

  private StrictShape child(String name) {
    StrictShape known = declared.get(name);
    if (known != null) {
      return known;
    }
    if (patterns.length > 0) {
      long mask = 0;
      for (int i = 0; i < patterns.length && i < 64; i++) {
        if (patterns[i].matcher(name).find()) {
          mask |= 1L << i;
        }
      }
      if (mask != 0) {
        StrictShape cached = patternCombinations.get(mask);
        if (cached != null) {
          return cached;
        }
        StrictShape built = compiler.union(schemasOf(mask));
        if (patternCombinations.size() < MAX_CACHED_COMBINATIONS) { // names are the client's: bound the cache
          patternCombinations.putIfAbsent(mask, built);
        }
        return built;
      }
    }
    return open ? additional : null;
  }

  private List<SchemaDocuments.Located> schemasOf(long mask) {
    List<SchemaDocuments.Located> out = new ArrayList<>();
    for (int i = 0; i < patterns.length && i < 64; i++) {
      if ((mask & (1L << i)) != 0) {
        out.addAll(patternSchemas.get(i));
      }
    }
    return out;
  }

  private static String pointer(List<Object> path) {
    StringBuilder out = new StringBuilder();
    for (Object segment : path) {
      out.append('/').append(segment.toString().replace("~", "~0").replace("/", "~1"));
    }
    return out.toString();
  }

  /** Builds shapes from raw schemas, following references through {@link SchemaDocuments}. */
  static final class Compiler {
    private final SchemaDocuments documents;
    private final Map<List<JsonNode>, StrictShape> built = new HashMap<>();

    Compiler(SchemaDocuments documents) {
      this.documents = documents;
    }

    /** The shape of a whole schema. */
    synchronized StrictShape compile(SchemaDocuments.Located schema) {
      return union(List.of(schema));
    }

    synchronized StrictShape union(List<SchemaDocuments.Located> schemas) {
      Map<JsonNode, SchemaDocuments.Located> applicable = new IdentityHashMap<>();
      List<SchemaDocuments.Located> ordered = new ArrayList<>();
      for (SchemaDocuments.Located schema : schemas) {
        collect(schema, applicable, ordered, 0);
      }
      if (ordered.isEmpty()) {
        return ANY;
      }
      List<JsonNode> key = identityKey(ordered);
      StrictShape existing = built.get(key);
      if (existing != null) {
        return existing;
      }
      StrictShape shape = new StrictShape(this);
      built.put(key, shape); // before filling: recursive schemas meet themselves
      fill(shape, ordered);
      return shape;
    }

    private void collect(SchemaDocuments.Located schema, Map<JsonNode, SchemaDocuments.Located> seen,
        List<SchemaDocuments.Located> ordered, int depth) {
      JsonNode node = schema.node();
      if (!node.isObject() || seen.containsKey(node)) {
        return;
      }
      if (depth > 200) {
        throw new SchemaDocuments.SchemaException("schema references nest too deeply for strict mode");
      }
      SchemaDocuments.Located here = new SchemaDocuments.Located(node, SchemaDocuments.rebase(schema));
      seen.put(node, here);
      ordered.add(here);
      for (String keyword : new String[] {"allOf", "anyOf", "oneOf"}) {
        JsonNode branches = node.get(keyword);
        if (branches != null && branches.isArray()) {
          for (JsonNode branch : branches) {
            collect(here.child(branch), seen, ordered, depth + 1);
          }
        }
      }
      for (String keyword : new String[] {"if", "then", "else"}) {
        JsonNode branch = node.get(keyword);
        if (branch != null) {
          collect(here.child(branch), seen, ordered, depth + 1);
        }
      }
      for (String keyword : new String[] {"dependentSchemas", "dependencies"}) {
        JsonNode map = node.get(keyword);
        if (map != null && map.isObject()) {
          for (JsonNode branch : map) {
            collect(here.child(branch), seen, ordered, depth + 1);
          }
        }
      }
      for (String keyword : new String[] {"$ref", "$dynamicRef", "$recursiveRef"}) {
        JsonNode ref = node.get(keyword);
        if (ref != null && ref.isTextual()) {
          collect(documents.resolve(here, ref.textValue()), seen, ordered, depth + 1);
        }
      }
    }

    private void fill(StrictShape shape, List<SchemaDocuments.Located> schemas) {
      Map<String, List<SchemaDocuments.Located>> properties = new LinkedHashMap<>();
      Map<String, List<SchemaDocuments.Located>> patternProperties = new LinkedHashMap<>();
      List<SchemaDocuments.Located> itemSchemas = new ArrayList<>();
      for (SchemaDocuments.Located schema : schemas) {
        JsonNode node = schema.node();
        for (String keyword : new String[] {"additionalProperties", "unevaluatedProperties"}) {
          JsonNode extra = node.get(keyword);
          if (extra != null) {
            shape.describesObject = true;
            if (!extra.isBoolean() || extra.booleanValue()) {
              shape.open = true;
              if (extra.isObject()) {
                shape.additionalSchemas.add(schema.child(extra));
              }
            }
          }
        }
        JsonNode props = node.get("properties");
        if (props != null && props.isObject()) {
          shape.describesObject = true;
          props.properties().forEach(f ->
              properties.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(schema.child(f.getValue())));
        }
        JsonNode patterns = node.get("patternProperties");
        if (patterns != null && patterns.isObject()) {
          shape.describesObject = true;
          patterns.properties().forEach(f ->
              patternProperties.computeIfAbsent(f.getKey(), k -> new ArrayList<>()).add(schema.child(f.getValue())));
        }
        if (node.has("required") || typeIncludesObject(node.get("type"))) {
          shape.describesObject = true;
        }
        for (String keyword : new String[] {"items", "prefixItems", "additionalItems", "unevaluatedItems", "contains"}) {
          JsonNode item = node.get(keyword);
          if (item != null && item.isArray()) {
            item.forEach(i -> itemSchemas.add(schema.child(i)));
          } else if (item != null) {
            itemSchemas.add(schema.child(item));
          }
        }
      }
      List<Pattern> compiled = new ArrayList<>();
      for (Map.Entry<String, List<SchemaDocuments.Located>> entry : patternProperties.entrySet()) {
        try {
          compiled.add(Pattern.compile(entry.getKey()));
        } catch (PatternSyntaxException e) {
          throw new SchemaDocuments.SchemaException("patternProperties regex '" + entry.getKey() + "' does not compile");
        }
        shape.patternSchemas.add(entry.getValue());
      }
      shape.patterns = compiled.toArray(new Pattern[0]);
      for (Map.Entry<String, List<SchemaDocuments.Located>> entry : properties.entrySet()) {
        List<SchemaDocuments.Located> all = new ArrayList<>(entry.getValue());
        for (int i = 0; i < shape.patterns.length; i++) {
          if (shape.patterns[i].matcher(entry.getKey()).find()) {
            all.addAll(shape.patternSchemas.get(i));
          }
        }
        shape.declared.put(entry.getKey(), union(all));
      }
      shape.additional = shape.additionalSchemas.isEmpty() ? ANY : union(shape.additionalSchemas);
      shape.items = itemSchemas.isEmpty() ? ANY : union(itemSchemas);
    }

    private static boolean typeIncludesObject(JsonNode type) {
      if (type == null) {
        return false;
      }
      if (type.isTextual()) {
        return type.textValue().equals("object");
      }
      for (JsonNode t : type) {
        if (t.isTextual() && t.textValue().equals("object")) {
          return true;
        }
      }
      return false;
    }

    private static List<JsonNode> identityKey(List<SchemaDocuments.Located> schemas) {
      JsonNode[] nodes = new JsonNode[schemas.size()];
      for (int i = 0; i < nodes.length; i++) {
        nodes[i] = schemas.get(i).node();
      }
      Arrays.sort(nodes, (a, b) -> Integer.compare(System.identityHashCode(a), System.identityHashCode(b)));
      return new IdentityList(nodes);
    }
  }

  /** A list compared by the identity of its elements (schema nodes may be equal yet distinct). */
  private static final class IdentityList extends java.util.AbstractList<JsonNode> {
    private final JsonNode[] nodes;

    IdentityList(JsonNode[] nodes) {
      this.nodes = nodes;
    }

    @Override
    public JsonNode get(int index) {
      return nodes[index];
    }

    @Override
    public int size() {
      return nodes.length;
    }

    @Override
    public boolean equals(Object other) {
      if (!(other instanceof IdentityList)) {
        return false;
      }
      JsonNode[] o = ((IdentityList) other).nodes;
      if (o.length != nodes.length) {
        return false;
      }
      for (int i = 0; i < o.length; i++) {
        if (o[i] != nodes[i]) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = 1;
      for (JsonNode node : nodes) {
        h = 31 * h + System.identityHashCode(node);
      }
      return h;
    }
  }
}
