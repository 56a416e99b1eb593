package org.shmlink;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A shmlink handle with a use count, so that close() on one thread never closes it underneath a
 * call still using it on another: the handle is closed by whichever of close() and the last use
 * comes last. state = uses * 2 + closed bit; the owner (the Java object) counts as one use.
 */
final class Handle {
  private static final long CLOSED = 1;
  private static final long USE = 2;

  private final long value;
  private final AtomicLong state = new AtomicLong(USE);
  private final Runnable afterClose;

  Handle(long value) {
    this(value, null);
  }

  /** `afterClose` runs once, right after the native handle is closed (on whichever thread
   * closes it). */
  Handle(long value, Runnable afterClose) {
    this.value = value;
    this.afterClose = afterClose;
  }

  /** Starts a use: the handle's value, valid until {@link #release()}. */
  long acquire(Object owner) {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) throw closed(owner);
      if (state.compareAndSet(s, s + USE)) return value;
    }
  }

  void release() {
    if (state.addAndGet(-USE) == CLOSED) {
      shmlink.close(value);
      if (afterClose != null) afterClose.run();
    }
  }

  boolean isClosed() {
    return (state.get() & CLOSED) != 0;
  }

  /** Closes the handle once its current uses end; later calls do nothing. */
  void close() {
    while (true) {
      long s = state.get();
      if ((s & CLOSED) != 0) return;
      if (state.compareAndSet(s, s | CLOSED)) break;
    }
    release();
  }

  static IllegalStateException closed(Object owner) {
    return new IllegalStateException(owner + " is closed");
  }
}
