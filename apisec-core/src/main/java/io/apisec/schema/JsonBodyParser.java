package io.apisec.schema;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.apisec.config.ApiSecurityConfig;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Turns a request body into a JSON tree within fixed limits, or says why it will not.
 *
 * <p>Refuses, before any schema sees the document: bytes that are not strict UTF-8 (overlong forms,
 * surrogates, code points past U+10FFFF, and NUL, which JSON never allows raw and which would let
 * Jackson guess UTF-16 or UTF-32); nesting deeper than {@code maxDepth}; a string or property name
 * longer than {@code maxStringLength} characters; a number longer than {@code maxNumberLength}
 * characters; an object with more than {@code maxProperties} properties; an object key given
 * twice (the same refusal as Jackson's {@code STRICT_DUPLICATE_DETECTION}, checked here for free
 * while the tree is built). Jackson's {@link StreamReadConstraints} stop long strings, numbers and
 * deep nesting while reading, so memory stays proportional to the (already bounded) body. The
 * tree is built without recursion, so depth can never overflow the stack.
 *
 * <p>Thread-safe: the factory is shared, each call uses its own parser.
 */
final class JsonBodyParser {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonFactory factory;
  private final int maxProperties;

  /** The outcome: a tree, or a refusal that never quotes the body. */
  record Result(JsonNode tree, String refusal) {
    boolean ok() {
      return tree != null;
    }
  }

  JsonBodyParser(ApiSecurityConfig.Payload limits) {
    this.factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNestingDepth(limits.maxDepth())
            .maxStringLength(limits.maxStringLength())
            .maxNameLength(limits.maxStringLength())
            .maxNumberLength(limits.maxNumberLength())
            .build())
        // attacker-chosen property names must not land in the JVM's string table
        .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
        // the same correctly rounded doubles as the JDK's parser, without its per-number buffers
        .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
        .build();
    this.maxProperties = limits.maxProperties();
  }

  Result parse(byte[] body) {
    int bad = Utf8.firstInvalid(body);
    if (bad >= 0) {
      return refuse("The body is not valid UTF-8 (byte offset " + bad + ")");
    }
    try (JsonParser parser = factory.createParser(body)) {
      Build build = new Build(maxProperties);
      JsonNode tree = build.read(parser);
      if (tree == null) {
        return refuse(build.refusal);
      }
      if (parser.nextToken() != null) {
        return refuse("Unexpected content after the JSON document at " + where(parser));
      }
      return new Result(tree, null);
    } catch (StreamConstraintsException e) {
      return refuse(limitMessage(e));
    } catch (IOException e) {
      return refuse("The body is not valid JSON (syntax error at " + where(e) + ")");
    }
  }

  /** One tree being built; holds the refusal when the builder itself refuses (duplicate, count). */
  private static final class Build {
    private final int maxProperties;
    private String refusal;

    Build(int maxProperties) {
      this.maxProperties = maxProperties;
    }

    JsonNode read(JsonParser parser) throws IOException {
      JsonToken first = parser.nextToken();
      if (first == null) {
        refusal = "The body is empty; a JSON document is required";
        return null;
      }
      ArrayDeque<ContainerNode<?>> stack = new ArrayDeque<>();
      JsonToken token = first;
      String pendingName = null;
      while (true) {
        JsonNode value;
        switch (token) {
          case START_OBJECT -> {
            ObjectNode object = NODES.objectNode();
            if (!stack.isEmpty()) {
              if (!attach(stack.peek(), pendingName, object, parser)) {
              return null;
            }
            }
            stack.push(object);
            token = parser.nextToken();
            continue;
          }
          case START_ARRAY -> {
            ArrayNode array = NODES.arrayNode();
            if (!stack.isEmpty()) {
              if (!attach(stack.peek(), pendingName, array, parser)) {
              return null;
            }
            }
            stack.push(array);
            token = parser.nextToken();
            continue;
          }
          case END_OBJECT, END_ARRAY -> {
            ContainerNode<?> done = stack.pop();
            if (stack.isEmpty()) {
              return done;
            }
            token = parser.nextToken();
            continue;
          }
          case FIELD_NAME -> {
            pendingName = parser.currentName();
            token = parser.nextToken();
            continue;
          }
          case VALUE_STRING -> value = NODES.textNode(parser.getText());
          case VALUE_NUMBER_INT -> value = switch (parser.getNumberType()) {
            case INT -> NODES.numberNode(parser.getIntValue());
            case LONG -> NODES.numberNode(parser.getLongValue());
            default -> NODES.numberNode(parser.getBigIntegerValue());
          };
          // doubles, not BigDecimal: a huge exponent must never reach BigDecimal arithmetic in a keyword
          case VALUE_NUMBER_FLOAT -> value = NODES.numberNode(parser.getDoubleValue());
          case VALUE_TRUE -> value = NODES.booleanNode(true);
          case VALUE_FALSE -> value = NODES.booleanNode(false);
          case VALUE_NULL -> value = NODES.nullNode();
          default -> throw new IOException("unexpected token");
        }
        if (stack.isEmpty()) {
          return value;
        }
        if (!attach(stack.peek(), pendingName, value, parser)) {
          return null;
        }
        token = parser.nextToken();
      }
    }

    private boolean attach(ContainerNode<?> parent, String name, JsonNode value, JsonParser parser) {
      if (parent instanceof ArrayNode) {
        ((ArrayNode) parent).add(value);
        return true;
      }
      ObjectNode object = (ObjectNode) parent;
      if (object.replace(name, value) != null) {
        refusal = "Duplicate object key '" + Violations.shorten(name, 64) + "' at " + where(parser);
        return false;
      }
      if (object.size() > maxProperties) {
        refusal = "An object has more than " + maxProperties + " properties";
        return false;
      }
      return true;
    }
  }

  private static String limitMessage(StreamConstraintsException e) {
    String m = String.valueOf(e.getOriginalMessage());
    if (m.contains("Depth")) {
      return "The body nests deeper than the limit allows";
    }
    if (m.contains("Number")) {
      return "A number in the body is longer than the limit allows";
    }
    if (m.contains("Name")) {
      return "A property name in the body is longer than the limit allows";
    }
    if (m.contains("String")) {
      return "A string in the body is longer than the limit allows";
    }
    return "The body exceeds a parsing limit";
  }

  private static String where(JsonParser parser) {
    return "line " + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr();
  }

  private static String where(IOException e) {
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
      com.fasterxml.jackson.core.JsonLocation location = ((com.fasterxml.jackson.core.JsonProcessingException) e).getLocation();
      if (location != null) {
        return "line " + location.getLineNr() + ", column " + location.getColumnNr();
      }
    }
    return "an unknown position";
  }

  private static Result refuse(String why) {
    return new Result(null, why);
  }
}
