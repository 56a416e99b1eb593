package org.shmlink;

/** What a {@link Channel} handle may do ({@code SHMLINK_CHANNEL_SENDER} / {@code _RECEIVER}). A
 * channel counts its attached senders and receivers: receiving gives {@link Status#CLOSED} once
 * every sender that attached is gone and nothing is queued, sending once every receiver is gone.
 * Before the first peer of the other side attaches, sends queue and receives wait. */
public enum ChannelRole {
  /** Sends only: send, reserve and commit. */
  SENDER(shmlink.SHMLINK_CHANNEL_SENDER),
  /** Receives only: receive, peek and consume. */
  RECEIVER(shmlink.SHMLINK_CHANNEL_RECEIVER),
  /** Both sends and receives (and counts as a peer on both sides). */
  BOTH(shmlink.SHMLINK_CHANNEL_SENDER | shmlink.SHMLINK_CHANNEL_RECEIVER);

  final int flags;

  ChannelRole(int flags) {
    this.flags = flags;
  }

  /** Whether a handle with this role may send.
   * @return true for {@link #SENDER} and {@link #BOTH} */
  public boolean canSend() {
    return this != RECEIVER;
  }

  /** Whether a handle with this role may receive.
   * @return true for {@link #RECEIVER} and {@link #BOTH} */
  public boolean canReceive() {
    return this != SENDER;
  }
}
