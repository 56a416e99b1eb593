package org.shmlink;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** An object a thread can wait on: a {@link Signal}, a {@link SharedMutex}, a
 * {@link SharedSemaphore}, a {@link Channel} (ready when a message can be received; the wait
 * takes nothing from it) or a {@link ChannelWaitable} (one condition of a channel);
 * {@link ShmLink#waitAny} waits on several at once.
 *
 * <p>{@link #waitAsync()} waits without a thread: a small pool of wait threads per process
 * (each on up to 63 objects in one wait-any) completes the future when the object is taken,
 * on the common fork-join pool. Cancelling the future (or its timeout) withdraws the wait; if
 * the object was taken at that very instant it is given back (so for that instant another
 * thread trying with a zero timeout may find it taken). Closing the object fails its pending
 * futures with {@link IllegalStateException}. */
public abstract class Waitable extends ShmLinkObject {
  private final boolean created;
  /** Registrations in the wait pool; guarded by the pool's lock. */
  int pendingWaits;

  Waitable(long handle, String name, boolean created) {
    super(handle, name);
    this.created = created;
  }

  /** Whether this handle created the object (false: an existing one was opened).
   * @return true if created */
  public boolean wasCreated() {
    return created;
  }

  /** Waits on this object alone; the library's status (TIMEOUT included), failures thrown. */
  final int waitStatus(int timeoutMs) throws InterruptedException {
    long[] handles = new long[2];
    int[] index = new int[1];
    handles[0] = handle.acquire(this);
    try {
      int status = Waiting.waitAny(handles, 1, timeoutMs, index);
      if (status != shmlink.SHMLINK_ERR_TIMEOUT) Failure.check(status);
      return status;
    } finally {
      handle.release();
    }
  }

  /** Waits for this object without blocking a thread, with no time limit: the future
   * completes when the object is taken (a signal's set, a semaphore's count; nothing is taken
   * from a channel or a channel condition).
   * @return the future; cancel it to stop waiting
   * @throws UnsupportedOperationException for a {@link SharedMutex} (see there) */
  public CompletableFuture<Void> waitAsync() {
    return waitAsyncCore(Timeouts.INFINITE, null, null);
  }

  /** Waits for this object without blocking a thread, at most {@code timeout}.
   * @param timeout how long to wait at most (rounded up to milliseconds; zero tries once)
   * @return a future of true if the object was taken, false if the time ran out
   * @throws UnsupportedOperationException for a {@link SharedMutex} (see there) */
  public CompletableFuture<Boolean> waitAsync(Duration timeout) {
    return waitAsyncCore(Timeouts.toMilliseconds(timeout), true, false);
  }

  private <T> Pending<T> waitAsyncCore(int timeoutMs, T taken, T timedOut) {
    Pending<T> future = new Pending<>();
    // Tried once here first: what is there now needs no wait thread.
    long value;
    try {
      value = handle.acquire(this);
    } catch (IllegalStateException closed) {
      future.claim();
      future.fail(closed);
      return future;
    }
    try {
      int status = shmlink.wait_one(value, 0);
      if (status >= 0) {
        future.claim();
        future.deliver(taken);
        return future;
      }
      if (status != shmlink.SHMLINK_ERR_TIMEOUT) {
        future.claim();
        future.fail(Failure.fromLastError(status));
        return future;
      }
    } finally {
      handle.release();
    }
    if (timeoutMs == 0) {
      future.claim();
      future.deliver(timedOut);
      return future;
    }
    WaitPool.register(this, WaitPool.deadlineIn(timeoutMs), future, new WaitPool.Waiter() {
      @Override
      public void ready(int status) {
        future.deliver(taken);
      }

      @Override
      public void timedOut() {
        future.deliver(timedOut);
      }
    });
    return future;
  }

  /** Undoes what a wait took from this object when its future was cancelled at that instant
   * (a wait on a channel takes nothing). Called with the handle open. */
  void giveBack(long value) {}

  /** Closes the handle; pending asynchronous waits fail with IllegalStateException. */
  @Override
  public void close() {
    super.close();
    WaitPool.closed(this);
  }

  static int createFlags(boolean openOrCreate, Sharing sharing) {
    if (sharing == null) throw new NullPointerException("sharing");
    return (openOrCreate ? shmlink.SHMLINK_OPEN_OR_CREATE : shmlink.SHMLINK_CREATE_NEW) | sharing.flags;
  }

  static String requireName(String name) {
    if (name == null) throw new NullPointerException("name");
    return name;
  }
}
