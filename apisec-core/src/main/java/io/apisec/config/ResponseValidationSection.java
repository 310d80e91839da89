package io.apisec.config;

import io.apisec.ResponseValidation;

/**
 * Reads the top-level {@code response-validation} section and the {@code response-validation}
 * mode of a route or an {@code openapi} document.
 *
 * <pre>
 * response-validation:
 *   mode: report-only          # off (default) | report-only | enforce, for routes with an operation
 *   max-response-body: 1MB     # most bytes buffered to validate one response
 * </pre>
 */
final class ResponseValidationSection {
  private ResponseValidationSection() {}

  static ResponseValidationSettings read(ConfigNode section) {
    ResponseValidationSettings d = ResponseValidationSettings.DEFAULTS;
    ConfigNode mode = section.get("mode");
    ConfigNode maxBody = section.get("max-response-body");
    section.rejectUnknownKeys();
    ResponseValidation m = mode == null ? d.mode() : mode(mode);
    long bytes = maxBody == null ? d.maxBody() : maxBody.size();
    return (maxBody == null ? section : maxBody).convert(() -> new ResponseValidationSettings(m, bytes));
  }

  static ResponseValidation mode(ConfigNode node) {
    if (node.isScalar() && node.text().equals("false")) {
      return ResponseValidation.OFF; // YAML 1.1 reads an unquoted off as false
    }
    return ResponseValidation.fromConfigName(node.oneOf("off", "report-only", "enforce"));
  }
}
