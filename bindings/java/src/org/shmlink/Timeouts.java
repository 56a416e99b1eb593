package org.shmlink;

import java.time.Duration;

/** Durations as the library's milliseconds. */
final class Timeouts {
  static final int INFINITE = shmlink.SHMLINK_INFINITE; // 0xFFFFFFFF as an int: -1

  private Timeouts() {}

  /** Rounded up, so a wait never ends before the time asked for; negative or 2^32 - 1 ms and
   * more throw IllegalArgumentException (use the overloads without a timeout to wait forever). */
  static int toMilliseconds(Duration timeout) {
    if (timeout == null) throw new NullPointerException("timeout");
    if (timeout.isNegative()) throw new IllegalArgumentException("A timeout is zero or positive, not " + timeout);
    long seconds = timeout.getSeconds();
    long limit = 0xFFFFFFFEL;
    if (seconds > limit / 1000) throw tooLong(timeout);
    long milliseconds = seconds * 1000 + (timeout.getNano() + 999_999) / 1_000_000;
    if (milliseconds > limit) throw tooLong(timeout);
    return (int) milliseconds;
  }

  private static IllegalArgumentException tooLong(Duration timeout) {
    return new IllegalArgumentException("A finite timeout is shorter than 2^32 - 1 milliseconds, not " + timeout
        + "; wait without a timeout to wait forever");
  }
}
