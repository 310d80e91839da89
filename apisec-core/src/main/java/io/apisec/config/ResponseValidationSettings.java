package io.apisec.config;

import io.apisec.ResponseValidation;
import java.util.Objects;

/**
 * The configuration-wide settings of response validation ({@code response-validation}): the mode
 * of every route that has an OpenAPI operation and sets none itself, and the most bytes of a
 * response body that are buffered to validate it. Immutable.
 *
 * @param mode the default mode; {@code off} unless configured
 * @param maxBody the most response bytes buffered; a larger body passes unvalidated in report-only
 *     mode and is refused with {@code 502} in enforce mode
 */
public record ResponseValidationSettings(ResponseValidation mode, long maxBody) {
  /** Off, with a 1 MB bound. */
  public static final ResponseValidationSettings DEFAULTS = new ResponseValidationSettings(ResponseValidation.OFF, 1024 * 1024);

  public ResponseValidationSettings {
    Objects.requireNonNull(mode, "mode");
    if (maxBody <= 0 || maxBody > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("response-validation.max-response-body must be between 1 B and 2 GB: " + maxBody);
    }
  }
}
