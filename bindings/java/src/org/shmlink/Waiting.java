package org.shmlink;

import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The blocking waits behind every await, lock, acquire and waitAny, interruptible.
 *
 * <p>A private auto-reset signal goes last in the same shmlink_wait_any as the objects waited
 * for; Thread.interrupt() sets it, so the blocked thread wakes at once (no polling). The hook on
 * interrupt is the public one of NIO: an {@link AbstractInterruptibleChannel} between begin()
 * and end() is closed by an interrupt of its thread, and closing it sets the signal. Signals
 * are pooled (one per concurrent wait) and closed at exit, so their names leave nothing behind.
 */
final class Waiting {
  /** One slot of shmlink_wait_any goes to the interrupt signal. */
  static final int MAX_OBJECTS = shmlink.SHMLINK_MAX_WAIT_OBJECTS - 1;

  private static final ConcurrentLinkedQueue<Long> POOL = new ConcurrentLinkedQueue<>();
  private static final List<Long> ALL = new ArrayList<>();
  private static final String NAME_PREFIX =
      "shmlink-java-interrupt." + ProcessHandle.current().pid() + "." + UUID.randomUUID().toString().replace("-", "") + ".";
  private static final AtomicInteger CREATED = new AtomicInteger();
  private static boolean exitHooked;

  private Waiting() {}

  /**
   * Waits for any of {@code count} handles (the array has room for one more). Returns the
   * library's status (OK, ABANDONED, TIMEOUT or a failure) with the index taken in index[0]. An
   * interrupt (also one pending on entry) throws InterruptedException and clears the thread's
   * interrupt status, unless an object was taken first: then the wait succeeded and the
   * interrupt stays pending.
   */
  static int waitAny(long[] handles, int count, int timeoutMs, int[] index) throws InterruptedException {
    if (timeoutMs == 0) { // try once: nothing to interrupt
      if (Thread.interrupted()) throw new InterruptedException();
      return shmlink.wait_any(handles, count, 0, index);
    }
    long signal = rent();
    Interruptor interruptor = new Interruptor(signal);
    int status;
    boolean interrupted = false;
    try {
      // The interrupt signal goes last: when an object and an interrupt are both ready, the
      // lowest index wins, so an object taken is never lost to an interrupt.
      handles[count] = signal;
      interruptor.enter();
      try {
        status = shmlink.wait_any(handles, count + 1, timeoutMs, index);
      } finally {
        interrupted = interruptor.exit();
      }
    } finally {
      giveBack(signal);
    }
    boolean tookObject = status >= 0 && index[0] < count;
    if (tookObject) {
      if (interrupted) Thread.currentThread().interrupt(); // keep it pending for the caller
      return status;
    }
    if (interrupted || (status >= 0 && index[0] == count)) {
      Thread.interrupted();
      throw new InterruptedException("interrupted while waiting on a shmlink object");
    }
    return status;
  }

  private static long rent() {
    Long pooled = POOL.poll();
    if (pooled != null) return pooled;
    long[] handle = new long[1];
    Failure.check(shmlink.signal_create(NAME_PREFIX + CREATED.incrementAndGet(),
        shmlink.SHMLINK_SIGNAL_AUTO_RESET, handle));
    synchronized (ALL) {
      ALL.add(handle[0]);
      if (!exitHooked) {
        exitHooked = true;
        Runtime.getRuntime().addShutdownHook(new Thread(Waiting::closeAll, "shmlink-close-interrupt-signals"));
      }
    }
    return handle[0];
  }

  /** Back to the pool, reset: an interrupt that came after the wait ended must not wake the
   * next wait that rents this signal. */
  private static void giveBack(long signal) {
    shmlink.signal_reset(signal);
    POOL.add(signal);
  }

  private static void closeAll() {
    synchronized (ALL) {
      for (long signal : ALL) shmlink.close(signal);
      ALL.clear();
    }
  }

  /** One wait's hook on Thread.interrupt(): closed by the interrupt, which sets the signal. */
  private static final class Interruptor extends AbstractInterruptibleChannel {
    private final long signal;

    Interruptor(long signal) {
      this.signal = signal;
    }

    void enter() {
      begin(); // an interrupt already pending closes the channel here and sets the signal
    }

    /** Whether an interrupt arrived between enter() and now. */
    boolean exit() {
      try {
        end(true);
        return false;
      } catch (ClosedByInterruptException e) {
        return true;
      } catch (java.io.IOException e) {
        return false;
      }
    }

    @Override
    protected void implCloseChannel() {
      shmlink.signal_set(signal);
    }
  }
}
