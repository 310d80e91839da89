package io.apisec.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The JSON and YAML documents that schemas and OpenAPI descriptions are read from, loaded once
 * and indexed by their {@code $id}s and anchors, so that {@code $ref}s can be followed without the
 * validator (strict mode and OpenAPI reading need the raw schemas). Only {@code file:} documents
 * are read: a schema never makes apisec fetch anything from the network.
 *
 * <p>Used at start only, from one thread; not thread-safe.
 */
final class SchemaDocuments {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** A schema node with the base URI its relative references resolve against. */
  record Located(JsonNode node, URI base) {
    Located child(JsonNode child) {
      return new Located(child, base);
    }
  }

  private final Map<URI, JsonNode> documents = new HashMap<>();
  private final Map<String, Located> identified = new HashMap<>();

  /** The root of the document at {@code uri} (fragment ignored), loading it on first use. */
  Located document(URI uri) {
    URI doc = withoutFragment(uri);
    JsonNode root = documents.get(doc);
    if (root == null) {
      Located known = identified.get(doc.toString());
      if (known != null) {
        return known;
      }
      if (!"file".equals(doc.getScheme())) {
        throw new SchemaException("cannot load '" + doc + "': only local files are read");
      }
      Path file = Path.of(doc);
      String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
      try {
        root = (name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON).readTree(file.toFile());
      } catch (IOException e) {
        throw new SchemaException("cannot read '" + file + "': " + e.getMessage());
      }
      register(doc, root);
    }
    return new Located(root, doc);
  }

  /** Adds a document that did not come from a file (an inline schema) under {@code base}. */
  void register(URI base, JsonNode root) {
    documents.put(withoutFragment(base), root);
    index(root, withoutFragment(base), 0);
  }

  /** The target of {@code ref} as seen from {@code from}. */
  Located resolve(Located from, String ref) {
    URI target = from.base().resolve(reference(ref));
    Located doc = document(target);
    String fragment = target.getFragment();
    if (fragment == null || fragment.isEmpty()) {
      return doc;
    }
    if (fragment.startsWith("/")) {
      JsonNode node = doc.node().at(fragment);
      if (node.isMissingNode()) {
        throw new SchemaException("$ref '" + ref + "' points at nothing");
      }
      return new Located(node, doc.base());
    }
    Located anchored = identified.get(withoutFragment(target) + "#" + fragment);
    if (anchored == null) {
      throw new SchemaException("$ref '" + ref + "' names an unknown anchor");
    }
    return anchored;
  }

  private static URI reference(String ref) {
    try {
      return URI.create(ref);
    } catch (IllegalArgumentException e) {
      // OpenAPI pointers hold raw braces ({id}); quote what a URI may not hold
      int hash = ref.indexOf('#');
      String path = hash < 0 ? ref : ref.substring(0, hash);
      try {
        return new URI(null, null, path.isEmpty() ? null : path, hash < 0 ? null : ref.substring(hash + 1));
      } catch (URISyntaxException again) {
        throw new SchemaException("invalid $ref '" + ref + "'");
      }
    }
  }

  /** The base URI inside {@code schema}, which its {@code $id} (or draft 4 {@code id}) may move. */
  static URI rebase(Located schema) {
    JsonNode node = schema.node();
    JsonNode id = node.get("$id");
    if (id == null || !id.isTextual()) {
      id = node.get("id");
    }
    if (id != null && id.isTextual() && !id.textValue().startsWith("#")) {
      try {
        return schema.base().resolve(id.textValue());
      } catch (IllegalArgumentException e) {
        return schema.base();
      }
    }
    return schema.base();
  }

  private void index(JsonNode node, URI base, int depth) {
    if (depth > 500 || !node.isContainerNode()) {
      return;
    }
    URI here = base;
    if (node.isObject()) {
      here = rebase(new Located(node, base));
      if (!here.equals(base)) {
        identified.putIfAbsent(withoutFragment(here).toString(), new Located(node, here));
      }
      JsonNode anchor = node.get("$anchor");
      if (anchor != null && anchor.isTextual()) {
        identified.putIfAbsent(withoutFragment(here) + "#" + anchor.textValue(), new Located(node, here));
      }
      JsonNode id = node.has("$id") ? node.get("$id") : node.get("id");
      if (id != null && id.isTextual() && id.textValue().startsWith("#") && id.textValue().length() > 1) {
        identified.putIfAbsent(withoutFragment(here) + id.textValue(), new Located(node, here));
      }
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String key = field.getKey();
        if (!key.equals("enum") && !key.equals("const") && !key.equals("default") && !key.equals("examples")
            && !key.equals("example")) {
          index(field.getValue(), here, depth + 1);
        }
      }
    } else {
      for (JsonNode item : node) {
        index(item, here, depth + 1);
      }
    }
  }

  static URI withoutFragment(URI uri) {
    if (uri.getFragment() == null) {
      return uri;
    }
    try {
      return new URI(uri.getScheme(), uri.getSchemeSpecificPart(), null);
    } catch (URISyntaxException e) {
      throw new SchemaException("invalid URI '" + uri + "'");
    }
  }

  /** A schema or document that cannot be used; the caller names the route. */
  static final class SchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SchemaException(String message) {
      super(message, null, false, false);
    }
  }
}
