package io.apisec.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.apisec.AuthMode;
import io.apisec.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a YAML or JSON configuration file into an {@link ApiSecurityConfig}. Unknown keys,
 * wrong types and bad values are refused with the key path and the line; the whole file is
 * validated before anything is built. Relative file references (schemas) resolve against the
 * file's directory. Thread-safe (stateless).
 */
public final class ConfigLoader {
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final YAMLFactory YAML = YAMLFactory.builder().build();

  private ConfigLoader() {}

  /** A configuration with the extra top-level sections the caller asked to read itself. */
  public record Loaded(ApiSecurityConfig config, Map<String, ConfigNode> sections) {}

  public static ApiSecurityConfig load(Path file) {
    return load(file, Set.of()).config();
  }

  /**
   * Loads {@code file}, handing back the top-level sections named in {@code extraSections}
   * unread: the caller validates them (and calls {@link ConfigNode#rejectUnknownKeys()}).
   */
  public static Loaded load(Path file, Set<String> extraSections) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read configuration file " + file + ": " + e.getMessage());
    }
    boolean json = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json");
    Path base = file.toAbsolutePath().getParent();
    return parse(text, json, base, extraSections);
  }

  /** Parses YAML (a superset of JSON) text; relative paths resolve against {@code baseDirectory}. */
  public static ApiSecurityConfig parseYaml(String text, Path baseDirectory) {
    return parse(text, false, baseDirectory, Set.of()).config();
  }

  static Loaded parse(String text, boolean json, Path base, Set<String> extraSections) {
    ConfigNode root = readTree(text, json);
    if (!root.isMap()) {
      throw root.error("the configuration must be a mapping of sections");
    }
    Map<String, ConfigNode> sections = new LinkedHashMap<>();
    for (String name : extraSections) {
      ConfigNode section = root.get(name);
      if (section != null) {
        sections.put(name, section);
      }
    }
    ApiSecurityConfig.Builder builder = ApiSecurityConfig.builder();
    new Sections(root, base).read(builder);
    root.rejectUnknownKeys();
    try {
      return new Loaded(builder.build(), sections);
    } catch (ConfigException e) {
      // checks that see the whole model (the start-up lint) know keys, not lines: add the line
      ConfigNode node = find(root, e.key());
      throw node == null || e.line() > 0 ? e : new ConfigException(e.key(), node.line(), stripPrefix(e));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("", e.getMessage());
    }
  }

  private static String stripPrefix(ConfigException e) {
    String message = e.getMessage();
    int colon = message.indexOf(": ");
    return colon < 0 ? message : message.substring(colon + 2);
  }

  private static ConfigNode find(ConfigNode root, String key) {
    if (key == null || key.isEmpty()) {
      return null;
    }
    ConfigNode node = root;
    for (String part : key.split("\\.")) {
      String name = part;
      int index = -1;
      int bracket = part.indexOf('[');
      if (bracket > 0 && part.endsWith("]")) {
        name = part.substring(0, bracket);
        index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
      }
      if (!node.isMap() || !node.has(name)) {
        return null;
      }
      node = node.get(name);
      if (index >= 0) {
        if (!node.isList() || index >= node.items().size()) {
          return null;
        }
        node = node.items().get(index);
      }
    }
    return node;
  }

  static ConfigNode readTree(String text, boolean json) {
    try (JsonParser parser = (json ? JSON : YAML).createParser(text)) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        throw new ConfigException("", 1, "the configuration is empty");
      }
      ConfigNode root = read(parser, "");
      if (parser.nextToken() != null) {
        throw new ConfigException("", line(parser), "unexpected content after the configuration");
      }
      return root;
    } catch (JsonParseException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new ConfigException("", line, "not valid " + (json ? "JSON" : "YAML") + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      if (e instanceof ConfigException) {
        throw e;
      }
      // SnakeYAML reports some syntax errors as its own runtime exceptions
      throw new ConfigException("", "not valid " + (json ? "JSON" : "YAML") + ": " + e.getMessage());
    }
  }

  private static int line(JsonParser parser) {
    return parser.currentTokenLocation().getLineNr();
  }

  private static ConfigNode read(JsonParser parser, String path) throws IOException {
    int line = line(parser);
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT: {
        LinkedHashMap<String, ConfigNode> fields = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String key = parser.currentName();
          int keyLine = line(parser);
          String childPath = path.isEmpty() ? key : path + "." + key;
          if (fields.containsKey(key)) {
            throw new ConfigException(childPath, keyLine, "duplicate key '" + key + "'");
          }
          parser.nextToken();
          fields.put(key, read(parser, childPath));
        }
        return ConfigNode.map(path, line, fields);
      }
      case START_ARRAY: {
        List<ConfigNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          items.add(read(parser, path + "[" + items.size() + "]"));
        }
        return ConfigNode.list(path, line, items);
      }
      case VALUE_STRING:
        return ConfigNode.scalar(path, line, parser.getText());
      case VALUE_NUMBER_INT:
        return ConfigNode.scalar(path, line, parser.getNumberType() == JsonParser.NumberType.INT
            ? (Object) parser.getIntValue()
            : parser.getNumberType() == JsonParser.NumberType.LONG ? (Object) parser.getLongValue() : parser.getText());
      case VALUE_NUMBER_FLOAT:
        return ConfigNode.scalar(path, line, parser.getDoubleValue());
      case VALUE_TRUE:
        return ConfigNode.scalar(path, line, Boolean.TRUE);
      case VALUE_FALSE:
        return ConfigNode.scalar(path, line, Boolean.FALSE);
      case VALUE_NULL:
        return ConfigNode.scalar(path, line, null);
      default:
        throw new ConfigException(path, line, "unexpected " + token);
    }
  }

  /** Maps the sections of a parsed file onto the builder. */
  private static final class Sections {
    private final ConfigNode root;
    private final Path base;

    Sections(ConfigNode root, Path base) {
      this.root = root;
      this.base = base;
    }

    void read(ApiSecurityConfig.Builder builder) {
      ConfigNode limits = root.get("limits");
      if (limits != null) {
        ApiSecurityConfig.RequestLimits d = ApiSecurityConfig.RequestLimits.DEFAULTS;
        ConfigNode count = limits.get("max-header-count");
        ConfigNode bytes = limits.get("max-header-bytes");
        ConfigNode path = limits.get("max-path-length");
        ConfigNode body = limits.get("max-body");
        limits.rejectUnknownKeys();
        builder.limits(limits.convert(() -> new ApiSecurityConfig.RequestLimits(
            count == null ? d.maxHeaderCount() : count.intValue(),
            bytes == null ? d.maxHeaderBytes() : (int) Math.min(Integer.MAX_VALUE, bytes.size()),
            path == null ? d.maxPathLength() : path.intValue(),
            body == null ? d.maxBody() : body.size())));
      }
      ConfigNode proxies = root.get("trusted-proxies");
      if (proxies != null) {
        for (ConfigNode cidr : proxies.items()) {
          cidr.convert(() -> builder.trustedProxies(cidr.text()));
        }
      }
      ConfigNode clientIpHeader = root.get("client-ip-header");
      if (clientIpHeader != null) {
        clientIpHeader.convert(() -> builder.clientIpHeader(clientIpHeader.text()));
      }
      ConfigNode mtls = root.get("mtls");
      if (mtls != null) {
        builder.mtls(MtlsSection.read(mtls, base));
      }
      ConfigNode def = root.get("default");
      if (def != null) {
        builder.defaultAllow(def.oneOf("deny", "allow").equals("allow"));
      }
      ConfigNode responses = root.get("responses");
      if (responses != null) {
        ConfigNode maxAge = responses.get("hsts-max-age");
        ConfigNode subdomains = responses.get("hsts-include-subdomains");
        responses.rejectUnknownKeys();
        ApiSecurityConfig.Responses d = ApiSecurityConfig.Responses.DEFAULTS;
        builder.responses(responses.convert(() -> new ApiSecurityConfig.Responses(
            maxAge == null ? d.hstsMaxAge() : maxAge.duration(),
            subdomains == null ? d.hstsIncludeSubdomains() : subdomains.bool())));
      }
      ConfigNode audit = root.get("audit");
      if (audit != null) {
        ConfigNode enabled = audit.get("enabled");
        ConfigNode headers = audit.get("headers");
        ConfigNode redact = audit.get("redact-headers");
        audit.rejectUnknownKeys();
        builder.audit(new ApiSecurityConfig.Audit(
            enabled == null || enabled.bool(),
            headers == null ? List.of() : headers.strings(),
            redact == null ? Set.of() : Set.copyOf(redact.strings())));
      }
      ConfigNode reportOnly = root.get("report-only");
      if (reportOnly != null) {
        for (ConfigNode stage : reportOnly.items()) {
          stage.convert(() -> builder.reportOnly(stage.text()));
        }
      }
      ConfigNode risky = root.get("allow-risky");
      if (risky != null) {
        for (ConfigNode name : risky.items()) {
          name.convert(() -> builder.allowRisky(name.text()));
        }
      }
      ConfigNode jwt = root.get("jwt");
      if (jwt != null) {
        builder.jwt(JwtConfigReader.read(jwt, base));
      }
      RateLimitSections.read(root, builder);
      ConfigNode dpop = root.get("dpop");
      if (dpop != null) {
        builder.dpop(DpopConfigReader.read(dpop));
      }
      ConfigNode routes = root.get("routes");
      if (routes != null) {
        for (ConfigNode route : routes.items()) {
          route.convert(() -> builder.route(route(route)));
        }
      }
      ConfigNode openApi = root.get("openapi");
      if (openApi != null) {
        OpenApiSection.read(openApi, base, builder);
      }
      ConfigNode payload = root.get("payload");
      if (payload != null) {
        builder.payload(payload(payload));
      }
      ConfigNode responseValidation = root.get("response-validation");
      if (responseValidation != null) {
        builder.responseValidation(ResponseValidationSection.read(responseValidation));
      }
    }

    private static ApiSecurityConfig.Payload payload(ConfigNode node) {
      ApiSecurityConfig.Payload d = ApiSecurityConfig.Payload.DEFAULTS;
      ConfigNode draft = node.get("default-draft");
      ConfigNode depth = node.get("max-depth");
      ConfigNode string = node.get("max-string-length");
      ConfigNode number = node.get("max-number-length");
      ConfigNode properties = node.get("max-properties");
      ConfigNode errors = node.get("max-errors");
      ConfigNode redact = node.get("redact");
      node.rejectUnknownKeys();
      return node.convert(() -> new ApiSecurityConfig.Payload(
          draft == null ? d.defaultDraft() : draft.oneOf(ApiSecurityConfig.Payload.DRAFTS.toArray(new String[0])),
          depth == null ? d.maxDepth() : depth.intValue(),
          string == null ? d.maxStringLength() : string.intValue(),
          number == null ? d.maxNumberLength() : number.intValue(),
          properties == null ? d.maxProperties() : properties.intValue(),
          errors == null ? d.maxErrors() : errors.intValue(),
          redact == null ? d.redact() : Set.copyOf(redact.strings())));
    }

    private Route route(ConfigNode node) {
      ConfigNode match = node.require("match");
      Route.Builder route = match.convert(() -> Route.builder(match.text()));
      ConfigNode name = node.get("name");
      if (name != null) {
        route.name(name.string());
      }
      ConfigNode auth = node.get("auth");
      if (auth != null) {
        AuthMode mode = AuthMode.fromConfigName(auth.text());
        if (mode == null) {
          throw auth.error("expected one of none, jwt, mtls, jwt+mtls, found '" + auth.text() + "'");
        }
        route.auth(mode);
      }
      ConfigNode scopes = node.get("scopes");
      if (scopes != null) {
        scopes.convert(() -> route.scopes(scopes.strings().toArray(new String[0])));
      }
      ConfigNode claims = node.get("claims");
      if (claims != null) {
        for (String claim : claims.keys()) {
          ConfigNode values = claims.get(claim);
          values.convert(() -> route.requireClaim(claim, values.strings().toArray(new String[0])));
        }
      }
      ConfigNode certificates = node.get("certificates");
      if (certificates != null) {
        for (ConfigNode pattern : certificates.items()) {
          pattern.convert(() -> route.allowCertificate(pattern.text()));
        }
      }
      ConfigNode schema = node.get("schema");
      if (schema != null) {
        if (schema.isMap()) {
          route.schema(io.apisec.internal.Json.write(schema.toPlain()));
        } else {
          String spec = schema.string();
          int hash = spec.indexOf('#');
          String fileName = hash < 0 ? spec : spec.substring(0, hash);
          Path file = base == null ? Path.of(fileName) : base.resolve(fileName);
          if (!Files.isRegularFile(file)) {
            throw schema.error("schema file not found: " + file);
          }
          route.schema(file + (hash < 0 ? "" : spec.substring(hash)));
        }
      }
      ConfigNode operation = node.get("operation");
      if (operation != null) {
        String spec = operation.string();
        int hash = spec.indexOf('#');
        Path file = hash <= 0 ? null : base == null ? Path.of(spec.substring(0, hash)) : base.resolve(spec.substring(0, hash));
        if (file == null || !Files.isRegularFile(file)) {
          throw operation.error("expected FILE#/paths/... naming an existing OpenAPI document");
        }
        operation.convert(() -> route.operation(file + spec.substring(hash)));
      }
      ConfigNode strict = node.get("strict");
      if (strict != null) {
        route.strictSchema(strict.bool());
      }
      ConfigNode responseValidation = node.get("response-validation");
      if (responseValidation != null) {
        route.responseValidation(ResponseValidationSection.mode(responseValidation));
      }
      ConfigNode maxBody = node.get("max-body");
      if (maxBody != null) {
        maxBody.convert(() -> route.maxBody(maxBody.size()));
      }
      ConfigNode contentTypes = node.get("content-types");
      if (contentTypes != null) {
        contentTypes.convert(() -> route.contentTypes(contentTypes.strings().toArray(new String[0])));
      }
      ConfigNode rateLimits = node.get("rate-limit");
      if (rateLimits != null) {
        rateLimits.convert(() -> route.rateLimits(rateLimits.strings().toArray(new String[0])));
      }
      ConfigNode dpop = node.get("dpop");
      if (dpop != null) {
        route.dpop(DpopConfigReader.mode(dpop));
      }
      ConfigNode reportOnly = node.get("report-only");
      if (reportOnly != null) {
        if (reportOnly.isScalar() && reportOnly.text().equals("true")) {
          route.reportOnly("*");
        } else if (!(reportOnly.isScalar() && reportOnly.text().equals("false"))) {
          reportOnly.convert(() -> route.reportOnly(reportOnly.strings().toArray(new String[0])));
        }
      }
      node.rejectUnknownKeys();
      return node.convert(route::build);
    }
  }
}
