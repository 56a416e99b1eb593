package org.shmlink;

import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The blocking waits behind every await, lock, acquire and waitAny, interruptible.
 *
 * <p>A private auto-reset signal goes last in the same shmlink_wait_any as the objects waited
 * for; Thread.interrupt() sets it, so the blocked thread wakes at once (no polling). The hook on
 * interrupt is the public one of NIO: an {@link AbstractInterruptibleChannel} between begin()
 * and end() is closed by an interrupt of its thread, and closing it sets the signal. The signals
 * are unnamed (nothing else can reach them, nothing is left behind) and pooled, one per
 * concurrent wait, so a wait does not create one each time.
 */
final class Waiting {
  /** One slot of shmlink_wait_any goes to the interrupt signal. */
  static final int MAX_OBJECTS = shmlink.SHMLINK_MAX_WAIT_OBJECTS - 1;

  private static final ConcurrentLinkedQueue<Long> POOL = new ConcurrentLinkedQueue<>();

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
    return pooled != null ? pooled : unnamedSignal();
  }

  /** A new unnamed auto-reset signal: only its handle reaches it. */
  static long unnamedSignal() {
    long[] handle = new long[1];
    Failure.check(shmlink.signal_create(null, shmlink.SHMLINK_SIGNAL_AUTO_RESET, handle));
    return handle[0];
  }

  /** Back to the pool, reset: an interrupt that came after the wait ended must not wake the
   * next wait that rents this signal. */
  private static void giveBack(long signal) {
    shmlink.signal_reset(signal);
    POOL.add(signal);
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
