package org.shmlink;

/** The outcome of {@link SharedMutex#lock(java.time.Duration)}. */
public enum LockResult {
  /** The time ran out; the mutex is not held. */
  TIMED_OUT,
  /** The calling thread holds the mutex. */
  ACQUIRED,
  /** The calling thread holds the mutex, but its previous owner died holding it: check the data
   * it guards. */
  ABANDONED;

  /** Whether the mutex is now held by the calling thread.
   * @return true for {@link #ACQUIRED} and {@link #ABANDONED} */
  public boolean acquired() {
    return this != TIMED_OUT;
  }
}
