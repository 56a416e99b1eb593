package org.shmlink;

import java.time.Duration;

/** A named mutex (a Win32 mutex): owned by one thread at a time, recursive for its owner; when
 * the owner dies holding it, the next owner is told ({@link LockResult#ABANDONED}). */
public final class SharedMutex extends Waitable {
  private SharedMutex(long handle, String name, boolean created) {
    super(handle, name, created);
  }

  /** Creates a new mutex, not owned.
   * @param name the mutex's name
   * @return the mutex
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, and as the library says */
  public static SharedMutex create(String name) {
    return create(name, false, Sharing.CURRENT_USER);
  }

  /** Creates a new mutex.
   * @param name the mutex's name
   * @param initiallyOwned whether the calling thread owns it from the start
   * @return the mutex
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, and as the library says */
  public static SharedMutex create(String name, boolean initiallyOwned) {
    return create(name, initiallyOwned, Sharing.CURRENT_USER);
  }

  /** Creates a new mutex others may open too.
   * @param name the mutex's name
   * @param initiallyOwned whether the calling thread owns it from the start
   * @param sharing who else may open it
   * @return the mutex
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, and as the library says */
  public static SharedMutex create(String name, boolean initiallyOwned, Sharing sharing) {
    return make(name, initiallyOwned, Waitable.createFlags(false, sharing));
  }

  /** Opens the mutex of that name, or creates it; {@link #wasCreated()} says which.
   * @param name the mutex's name
   * @param initiallyOwned whether the calling thread owns it, if created (an opened one is not acquired)
   * @return the mutex
   * @throws ShmLinkException WRONG_KIND if the name is another kind of object, and as the library says */
  public static SharedMutex openOrCreate(String name, boolean initiallyOwned) {
    return make(name, initiallyOwned, Waitable.createFlags(true, Sharing.CURRENT_USER));
  }

  /** Opens an existing mutex.
   * @param name the mutex's name
   * @return the mutex
   * @throws ShmLinkException NOT_FOUND if there is none, and as the library says */
  public static SharedMutex open(String name) {
    long[] handle = new long[1];
    Failure.check(shmlink.mutex_open(requireName(name), handle));
    return new SharedMutex(handle[0], name, false);
  }

  /** Acquires the mutex for the calling thread, waiting at most {@code timeout}.
   * @param timeout how long to wait at most (rounded up to milliseconds; zero tries once)
   * @return ACQUIRED, ABANDONED (acquired; the previous owner died holding it) or TIMED_OUT
   * @throws InterruptedException if the thread is interrupted before it acquires the mutex */
  public LockResult lock(Duration timeout) throws InterruptedException {
    return toResult(waitStatus(Timeouts.toMilliseconds(timeout)));
  }

  /** Acquires the mutex for the calling thread, with no time limit.
   * @return ACQUIRED or ABANDONED (acquired; the previous owner died holding it)
   * @throws InterruptedException if the thread is interrupted before it acquires the mutex */
  public LockResult lock() throws InterruptedException {
    return toResult(waitStatus(Timeouts.INFINITE));
  }

  /** Releases one level of the calling thread's ownership.
   * @throws ShmLinkException NOT_OWNER if this thread does not hold it */
  public void unlock() {
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.mutex_unlock(value));
    } finally {
      handle.release();
    }
  }

  /** Not for a mutex: a mutex is owned by the thread that acquires it, and the thread that
   * would acquire it here is a wait thread of the binding, which cannot unlock it for the
   * caller. Use {@link #lock()} on the thread that will unlock.
   * @throws UnsupportedOperationException always */
  @Override
  public java.util.concurrent.CompletableFuture<Void> waitAsync() {
    throw ownedByAThread();
  }

  /** Not for a mutex (see {@link #waitAsync()}).
   * @param timeout ignored
   * @throws UnsupportedOperationException always */
  @Override
  public java.util.concurrent.CompletableFuture<Boolean> waitAsync(Duration timeout) {
    throw ownedByAThread();
  }

  private UnsupportedOperationException ownedByAThread() {
    return new UnsupportedOperationException(this + ": a mutex belongs to the thread that acquires it, so it "
        + "cannot be acquired asynchronously (by a wait thread); call lock() on the thread that will unlock");
  }

  static LockResult toResult(int status) {
    if (status == shmlink.SHMLINK_ABANDONED) return LockResult.ABANDONED;
    if (status == shmlink.SHMLINK_ERR_TIMEOUT) return LockResult.TIMED_OUT;
    return LockResult.ACQUIRED;
  }

  /** Creates an unnamed mutex (CreateMutex(NULL, ...)): only this object reaches it.
   * @param initiallyOwned whether the calling thread owns it from the start
   * @return the mutex
   * @throws ShmLinkException as the library says */
  public static SharedMutex createUnnamed(boolean initiallyOwned) {
    long[] handle = new long[1];
    Failure.check(shmlink.mutex_create(null, initiallyOwned ? shmlink.SHMLINK_MUTEX_INITIALLY_OWNED : 0, handle));
    return new SharedMutex(handle[0], null, true);
  }

  private static SharedMutex make(String name, boolean initiallyOwned, int flags) {
    if (initiallyOwned) flags |= shmlink.SHMLINK_MUTEX_INITIALLY_OWNED;
    long[] handle = new long[1];
    int status = Failure.check(shmlink.mutex_create(requireName(name), flags, handle));
    return new SharedMutex(handle[0], name, status == shmlink.SHMLINK_OK);
  }
}
