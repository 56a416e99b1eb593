package org.shmlink;

import java.time.Duration;

/** A named counting semaphore (a Win32 semaphore): a wait takes one from the count, a release
 * adds to it, up to its maximum. */
public final class SharedSemaphore extends Waitable {
  private SharedSemaphore(long handle, String name, boolean created) {
    super(handle, name, created);
  }

  /** Creates a new semaphore.
   * @param name the semaphore's name
   * @param initialCount the count it starts with (0 to maximumCount)
   * @param maximumCount the most the count may reach (1 to 2^31 - 1)
   * @return the semaphore
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT for bad counts */
  public static SharedSemaphore create(String name, int initialCount, int maximumCount) {
    return create(name, initialCount, maximumCount, Sharing.CURRENT_USER);
  }

  /** Creates a new semaphore others may open too.
   * @param name the semaphore's name
   * @param initialCount the count it starts with (0 to maximumCount)
   * @param maximumCount the most the count may reach (1 to 2^31 - 1)
   * @param sharing who else may open it
   * @return the semaphore
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, INVALID_ARGUMENT for bad counts */
  public static SharedSemaphore create(String name, int initialCount, int maximumCount, Sharing sharing) {
    return make(name, initialCount, maximumCount, Waitable.createFlags(false, sharing));
  }

  /** Opens the semaphore of that name, or creates it; {@link #wasCreated()} says which. An
   * existing semaphore keeps its own counts.
   * @param name the semaphore's name
   * @param initialCount the count it starts with, if created
   * @param maximumCount its maximum, if created
   * @return the semaphore
   * @throws ShmLinkException WRONG_KIND if the name is another kind of object, and as the library says */
  public static SharedSemaphore openOrCreate(String name, int initialCount, int maximumCount) {
    return make(name, initialCount, maximumCount, Waitable.createFlags(true, Sharing.CURRENT_USER));
  }

  /** Opens an existing semaphore.
   * @param name the semaphore's name
   * @return the semaphore
   * @throws ShmLinkException NOT_FOUND if there is none, and as the library says */
  public static SharedSemaphore open(String name) {
    long[] handle = new long[1];
    Failure.check(shmlink.semaphore_open(requireName(name), handle));
    return new SharedSemaphore(handle[0], name, false);
  }

  /** Adds one to the count, waking one wait.
   * @return the count before the release
   * @throws ShmLinkException LIMIT_EXCEEDED if the count is at its maximum (it stays unchanged) */
  public int release() {
    return release(1);
  }

  /** Adds {@code count} to the count, waking as many waits.
   * @param count how much to add (positive)
   * @return the count before the release
   * @throws ShmLinkException LIMIT_EXCEEDED if the count would pass its maximum (it stays unchanged) */
  public int release(int count) {
    if (count <= 0) throw new IllegalArgumentException("A release count is positive, not " + count);
    int[] previous = new int[1];
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.semaphore_release(value, count, previous));
    } finally {
      handle.release();
    }
    return previous[0];
  }

  /** Takes one from the count, waiting while it is zero, at most {@code timeout}.
   * @param timeout how long to wait at most (rounded up to milliseconds; zero tries once)
   * @return true if one was taken, false if the time ran out
   * @throws InterruptedException if the thread is interrupted before one is taken */
  public boolean tryAcquire(Duration timeout) throws InterruptedException {
    return waitStatus(Timeouts.toMilliseconds(timeout)) >= 0;
  }

  /** Takes one from the count, waiting with no time limit while it is zero.
   * @throws InterruptedException if the thread is interrupted before one is taken */
  public void acquire() throws InterruptedException {
    waitStatus(Timeouts.INFINITE);
  }

  /** A count taken for a cancelled wait goes back (LIMIT_EXCEEDED: releases since filled it to
   * its maximum, where it stays). */
  @Override
  void giveBack(long value) {
    shmlink.semaphore_release(value, 1, null);
  }

  /** Creates an unnamed semaphore (CreateSemaphore(NULL, ...)): only this object reaches it.
   * @param initialCount the count it starts with (0 to maximumCount)
   * @param maximumCount the most the count may reach (1 to 2^31 - 1)
   * @return the semaphore
   * @throws ShmLinkException INVALID_ARGUMENT for counts that do not fit together, and as the library says */
  public static SharedSemaphore createUnnamed(int initialCount, int maximumCount) {
    if (initialCount < 0) throw new IllegalArgumentException("A count is not negative, not " + initialCount);
    if (maximumCount < 0) throw new IllegalArgumentException("A count is not negative, not " + maximumCount);
    long[] handle = new long[1];
    Failure.check(shmlink.semaphore_create(null, initialCount, maximumCount, 0, handle));
    return new SharedSemaphore(handle[0], null, true);
  }

  private static SharedSemaphore make(String name, int initialCount, int maximumCount, int flags) {
    if (initialCount < 0) throw new IllegalArgumentException("A count is not negative, not " + initialCount);
    if (maximumCount < 0) throw new IllegalArgumentException("A count is not negative, not " + maximumCount);
    long[] handle = new long[1];
    int status = Failure.check(
        shmlink.semaphore_create(requireName(name), initialCount, maximumCount, flags, handle));
    return new SharedSemaphore(handle[0], name, status == shmlink.SHMLINK_OK);
  }
}
