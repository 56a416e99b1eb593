package org.shmlink;

import java.time.Duration;

/**
 * One {@link ChannelCondition} of a channel, as an object to wait on: alone ({@link #await},
 * {@link #waitAsync()}) or with others in {@link ShmLink#waitAny}. A wait returns while the
 * condition holds and takes nothing. Made by {@link Channel#condition}; it is a handle of its
 * own (close it when done), and while open it keeps the channel attached, counting as a peer of
 * the channel handle's roles.
 */
public final class ChannelWaitable extends Waitable {
  private final ChannelCondition condition;

  ChannelWaitable(long handle, String name, ChannelCondition condition) {
    super(handle, name, false);
    this.condition = condition;
  }

  /** The condition this object waits for.
   * @return the condition */
  public ChannelCondition condition() {
    return condition;
  }

  /** Waits until the condition holds, at most {@code timeout}.
   * @param timeout how long to wait at most (rounded up to milliseconds; zero tries once)
   * @return true if it holds, false if the time ran out
   * @throws InterruptedException if the thread is interrupted first */
  public boolean await(Duration timeout) throws InterruptedException {
    return waitStatus(Timeouts.toMilliseconds(timeout)) >= 0;
  }

  /** Waits, with no time limit, until the condition holds.
   * @throws InterruptedException if the thread is interrupted first */
  public void await() throws InterruptedException {
    waitStatus(Timeouts.INFINITE);
  }

  @Override
  public String toString() {
    return "ChannelWaitable(" + (name() == null ? "unnamed" : name()) + ", " + condition + (isClosed() ? ", closed" : "")
        + ")";
  }
}
