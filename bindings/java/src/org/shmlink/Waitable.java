package org.shmlink;

/** An object a thread can wait on: a {@link Signal}, a {@link SharedMutex}, a
 * {@link SharedSemaphore} or a {@link Channel} (ready when a message can be received; the wait
 * takes nothing from it); {@link ShmLink#waitAny} waits on several at once. */
public abstract class Waitable extends ShmLinkObject {
  private final boolean created;

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

  static int createFlags(boolean openOrCreate, Sharing sharing) {
    if (sharing == null) throw new NullPointerException("sharing");
    return (openOrCreate ? shmlink.SHMLINK_OPEN_OR_CREATE : shmlink.SHMLINK_CREATE_NEW) | sharing.flags;
  }

  static String requireName(String name) {
    if (name == null) throw new NullPointerException("name");
    return name;
  }
}
