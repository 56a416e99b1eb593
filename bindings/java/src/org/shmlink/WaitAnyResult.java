package org.shmlink;

/**
 * The outcome of {@link ShmLink#waitAny}: which object was taken, or that the time ran out.
 * @param index the index of the object taken (the lowest of those available), or -1 if the wait
 *     timed out
 * @param abandoned whether the object taken is a mutex whose previous owner died holding it
 */
public record WaitAnyResult(int index, boolean abandoned) {
  /** The result of a wait that timed out. */
  public static final WaitAnyResult TIMED_OUT = new WaitAnyResult(-1, false);

  /** Whether the wait timed out (nothing was taken).
   * @return true if {@link #index()} is -1 */
  public boolean timedOut() {
    return index < 0;
  }
}
