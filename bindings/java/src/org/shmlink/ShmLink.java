package org.shmlink;

import java.time.Duration;

/** The library itself: its version, and waiting on several objects at once. */
public final class ShmLink {
  /** The most objects {@link #waitAny} takes (one slot of the library's 64 makes the wait
   * interruptible). */
  public static final int MAX_WAIT_OBJECTS = Waiting.MAX_OBJECTS;

  private ShmLink() {}

  /** The loaded native library's version, "MAJOR.MINOR.PATCH".
   * @return the version */
  public static String version() {
    return shmlink.version_string();
  }

  /** The loaded native library's version as MAJOR * 10000 + MINOR * 100 + PATCH.
   * @return the version number */
  public static int versionNumber() {
    return shmlink.version_number();
  }

  /** The granularity of mapping offsets on this system (informational: any offset maps).
   * @return the page size (Linux) or 64 KiB (Windows) */
  public static long allocationGranularity() {
    return shmlink.allocation_granularity();
  }

  /** Waits until any one of the objects is available and takes that one only (the lowest index
   * when several are). A {@link Channel} is available when a message can be received from it (or
   * receiving would throw CLOSED); nothing is taken from it.
   * @param timeout how long to wait at most (rounded up to milliseconds; zero tries once)
   * @param objects 1 to {@link #MAX_WAIT_OBJECTS} distinct, open objects
   * @return the index taken and whether it was an abandoned mutex, or {@link WaitAnyResult#TIMED_OUT}
   * @throws InterruptedException if the thread is interrupted before an object is taken
   * @throws IllegalArgumentException for no objects, too many, or one given twice
   * @throws IllegalStateException if an object is closed */
  public static WaitAnyResult waitAny(Duration timeout, Waitable... objects) throws InterruptedException {
    return waitAnyCore(Timeouts.toMilliseconds(timeout), objects);
  }

  /** Waits, with no time limit, until any one of the objects is available and takes it.
   * @param objects 1 to {@link #MAX_WAIT_OBJECTS} distinct, open objects
   * @return the index taken and whether it was an abandoned mutex
   * @throws InterruptedException if the thread is interrupted before an object is taken
   * @throws IllegalArgumentException for no objects, too many, or one given twice
   * @throws IllegalStateException if an object is closed */
  public static WaitAnyResult waitAny(Waitable... objects) throws InterruptedException {
    return waitAnyCore(Timeouts.INFINITE, objects);
  }

  private static WaitAnyResult waitAnyCore(int timeoutMs, Waitable[] objects) throws InterruptedException {
    if (objects == null) throw new NullPointerException("objects");
    int count = objects.length;
    if (count == 0 || count > MAX_WAIT_OBJECTS) {
      throw new IllegalArgumentException("waitAny takes 1 to " + MAX_WAIT_OBJECTS + " objects, not " + count);
    }
    long[] handles = new long[count + 1];
    int acquired = 0;
    try {
      for (; acquired < count; acquired++) {
        Waitable item = objects[acquired];
        if (item == null) throw new NullPointerException("objects[" + acquired + "]");
        for (int j = 0; j < acquired; j++) {
          if (objects[j] == item) throw new IllegalArgumentException("objects[" + acquired + "] is given twice");
        }
        handles[acquired] = item.handle.acquire(item);
      }
      int[] index = new int[1];
      int status = Waiting.waitAny(handles, count, timeoutMs, index);
      if (status == shmlink.SHMLINK_ERR_TIMEOUT) return WaitAnyResult.TIMED_OUT;
      Failure.check(status);
      return new WaitAnyResult(index[0], status == shmlink.SHMLINK_ABANDONED);
    } finally {
      for (int i = 0; i < acquired; i++) objects[i].handle.release();
    }
  }
}
