package io.apisec.schema;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JDK regular expressions networknt uses by default ({@code Pattern.compile}, then {@code
 * find}), with one matcher per pattern and thread instead of a new one per validated string: the
 * matcher's arrays were the largest allocation of a schema check, and every byte a request
 * allocates adds to the latency tail. The semantics are exactly the default's.
 *
 * <p>Thread-safe. A matcher lets go of the string it checked before it is put back, so no request
 * data stays reachable from it.
 */
final class ReusedMatcherRegularExpressions implements RegularExpressionFactory {
  static final ReusedMatcherRegularExpressions INSTANCE = new ReusedMatcherRegularExpressions();

  private ReusedMatcherRegularExpressions() {}

  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = Pattern.compile(regex); // a bad pattern fails here, at start, as networknt's does
    ThreadLocal<Matcher> matchers = ThreadLocal.withInitial(() -> pattern.matcher(""));
    return value -> {
      Matcher matcher = matchers.get();
      try {
        return matcher.reset(value).find();
      } finally {
        matcher.reset("");
      }
    };
  }
}
