package org.shmlink;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Strings to and from the library: UTF-8 with a terminating NUL (JNI's own string calls speak
 * modified UTF-8, which differs for NUL and characters outside the BMP). */
final class Strings {
  private Strings() {}

  static byte[] toNative(String text) {
    if (text == null) return null;
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    return Arrays.copyOf(utf8, utf8.length + 1);
  }

  static String fromNative(byte[] utf8) {
    return utf8 == null ? "" : new String(utf8, StandardCharsets.UTF_8);
  }
}
