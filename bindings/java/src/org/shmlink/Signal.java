package org.shmlink;

import java.time.Duration;

/** A named signal (a Win32 event): {@link #set()} releases one wait (auto-reset) or every wait
 * until {@link #reset()} (manual reset), in any process. */
public final class Signal extends Waitable {
  /** Known if this handle created the signal; null if it opened an existing one. */
  private final ResetMode mode;

  private Signal(long handle, String name, boolean created, ResetMode mode) {
    super(handle, name, created);
    this.mode = created ? mode : null;
  }

  /** Creates a new auto-reset, unset signal.
   * @param name the signal's name
   * @return the signal
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, and as the library says */
  public static Signal create(String name) {
    return create(name, ResetMode.AUTO_RESET, false, Sharing.CURRENT_USER);
  }

  /** Creates a new signal.
   * @param name the signal's name
   * @param mode auto or manual reset
   * @param initiallySet whether it starts set
   * @return the signal
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, and as the library says */
  public static Signal create(String name, ResetMode mode, boolean initiallySet) {
    return create(name, mode, initiallySet, Sharing.CURRENT_USER);
  }

  /** Creates a new signal others may open too.
   * @param name the signal's name
   * @param mode auto or manual reset
   * @param initiallySet whether it starts set
   * @param sharing who else may open it
   * @return the signal
   * @throws ShmLinkException ALREADY_EXISTS if the name is taken, and as the library says */
  public static Signal create(String name, ResetMode mode, boolean initiallySet, Sharing sharing) {
    return make(name, mode, initiallySet, Waitable.createFlags(false, sharing));
  }

  /** Opens the signal of that name, or creates it; {@link #wasCreated()} says which. An
   * existing signal keeps its own mode and state.
   * @param name the signal's name
   * @param mode auto or manual reset, if created
   * @param initiallySet whether it starts set, if created
   * @return the signal
   * @throws ShmLinkException WRONG_KIND if the name is another kind of object, and as the library says */
  public static Signal openOrCreate(String name, ResetMode mode, boolean initiallySet) {
    return make(name, mode, initiallySet, Waitable.createFlags(true, Sharing.CURRENT_USER));
  }

  /** Opens an existing signal.
   * @param name the signal's name
   * @return the signal
   * @throws ShmLinkException NOT_FOUND if there is none, and as the library says */
  public static Signal open(String name) {
    long[] handle = new long[1];
    Failure.check(shmlink.signal_open(requireName(name), handle));
    return new Signal(handle[0], name, false, null);
  }

  /** Sets the signal: releases one wait (auto-reset, now or the next one) or every wait until
   * reset (manual reset). Setting a set signal changes nothing. */
  public void set() {
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.signal_set(value));
    } finally {
      handle.release();
    }
  }

  /** Resets the signal; resetting an unset signal changes nothing. */
  public void reset() {
    long value = handle.acquire(this);
    try {
      Failure.check(shmlink.signal_reset(value));
    } finally {
      handle.release();
    }
  }

  /** Waits until the signal is set (an auto-reset signal is reset by the wait it releases).
   * @param timeout how long to wait at most (rounded up to milliseconds; zero tries once)
   * @return true if the signal was set, false if the time ran out
   * @throws InterruptedException if the thread is interrupted before the signal is set */
  public boolean await(Duration timeout) throws InterruptedException {
    return waitStatus(Timeouts.toMilliseconds(timeout)) >= 0;
  }

  /** Waits, with no time limit, until the signal is set.
   * @throws InterruptedException if the thread is interrupted before the signal is set */
  public void await() throws InterruptedException {
    waitStatus(Timeouts.INFINITE);
  }

  /** A set taken for a cancelled wait goes back. A manual-reset wait took nothing; the library
   * does not tell an opener the mode, so a signal this handle opened is set again too (harmless
   * for a manual-reset signal unless another thread reset it at that very instant). */
  @Override
  void giveBack(long value) {
    if (mode != ResetMode.MANUAL_RESET) shmlink.signal_set(value);
  }

  /** Creates an unnamed signal (CreateEvent(NULL, ...)): only this object reaches it, and it is
   * gone when this object is closed; it works in {@code waitAny} like a named one.
   * @param mode auto or manual reset
   * @param initiallySet whether it starts set
   * @return the signal
   * @throws ShmLinkException as the library says */
  public static Signal createUnnamed(ResetMode mode, boolean initiallySet) {
    if (mode == null) throw new NullPointerException("mode");
    int flags = mode == ResetMode.MANUAL_RESET ? shmlink.SHMLINK_SIGNAL_MANUAL_RESET : shmlink.SHMLINK_SIGNAL_AUTO_RESET;
    if (initiallySet) flags |= shmlink.SHMLINK_SIGNAL_INITIALLY_SET;
    long[] handle = new long[1];
    Failure.check(shmlink.signal_create(null, flags, handle));
    return new Signal(handle[0], null, true, mode);
  }

  private static Signal make(String name, ResetMode mode, boolean initiallySet, int flags) {
    if (mode == null) throw new NullPointerException("mode");
    flags |= mode == ResetMode.MANUAL_RESET ? shmlink.SHMLINK_SIGNAL_MANUAL_RESET : shmlink.SHMLINK_SIGNAL_AUTO_RESET;
    if (initiallySet) flags |= shmlink.SHMLINK_SIGNAL_INITIALLY_SET;
    long[] handle = new long[1];
    int status = Failure.check(shmlink.signal_create(requireName(name), flags, handle));
    return new Signal(handle[0], name, status == shmlink.SHMLINK_OK, mode);
  }
}
