package io.apisec.schema;

/** Strict UTF-8 checking (RFC 3629) without decoding or allocating. Stateless. */
final class Utf8 {
  private Utf8() {}

  /**
   * The offset of the first byte that breaks strict UTF-8, or -1 when all is well. Refuses NUL,
   * overlong forms, UTF-16 surrogates and code points past U+10FFFF.
   */
  static int firstInvalid(byte[] bytes) {
    int i = 0;
    int n = bytes.length;
    while (i < n) {
      int b = bytes[i];
      if (b > 0) {
        i++;
        continue;
      }
      if (b == 0) {
        return i;
      }
      b &= 0xff;
      if (b >= 0xc2 && b <= 0xdf) {
        if (i + 1 >= n || !continuation(bytes[i + 1])) {
          return i;
        }
        i += 2;
      } else if (b >= 0xe0 && b <= 0xef) {
        if (i + 2 >= n || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2])) {
          return i;
        }
        int b1 = bytes[i + 1] & 0xff;
        if (b == 0xe0 && b1 < 0xa0 || b == 0xed && b1 >= 0xa0) {
          return i; // overlong, or a surrogate
        }
        i += 3;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (i + 3 >= n || !continuation(bytes[i + 1]) || !continuation(bytes[i + 2]) || !continuation(bytes[i + 3])) {
          return i;
        }
        int b1 = bytes[i + 1] & 0xff;
        if (b == 0xf0 && b1 < 0x90 || b == 0xf4 && b1 >= 0x90) {
          return i; // overlong, or past U+10FFFF
        }
        i += 4;
      } else {
        return i;
      }
    }
    return -1;
  }

  private static boolean continuation(byte b) {
    return (b & 0xc0) == 0x80;
  }
}
