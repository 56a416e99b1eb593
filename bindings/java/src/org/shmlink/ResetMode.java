package org.shmlink;

/** What a set {@link Signal} does to waits. */
public enum ResetMode {
  /** A set releases exactly one wait, then the signal resets itself. */
  AUTO_RESET,
  /** A set releases every wait until the signal is reset. */
  MANUAL_RESET
}
