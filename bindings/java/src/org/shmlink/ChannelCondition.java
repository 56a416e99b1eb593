package org.shmlink;

/** One condition of a {@link Channel} to wait for ({@code SHMLINK_CHANNEL_CAN_RECEIVE} and so
 * on): {@link Channel#condition} gives a {@link ChannelWaitable} for it. Waiting for a condition
 * takes nothing from the channel. */
public enum ChannelCondition {
  /** A message is queued, or receiving would throw CLOSED (a receiving handle only). */
  CAN_RECEIVE(shmlink.SHMLINK_CHANNEL_CAN_RECEIVE),
  /** A message of the channel's maximum size fits, or sending would throw CLOSED (a sending
   * handle only). */
  CAN_SEND(shmlink.SHMLINK_CHANNEL_CAN_SEND),
  /** At least one sender is attached (in any process; a handle that sends counts itself). */
  SENDERS_PRESENT(shmlink.SHMLINK_CHANNEL_SENDERS_PRESENT),
  /** At least one receiver is attached (in any process; a handle that receives counts itself). */
  RECEIVERS_PRESENT(shmlink.SHMLINK_CHANNEL_RECEIVERS_PRESENT),
  /** Senders had attached and none is left (receiving, once drained, throws CLOSED). */
  SENDERS_GONE(shmlink.SHMLINK_CHANNEL_SENDERS_GONE),
  /** Receivers had attached and none is left (sending throws CLOSED). */
  RECEIVERS_GONE(shmlink.SHMLINK_CHANNEL_RECEIVERS_GONE);

  final int code;

  ChannelCondition(int code) {
    this.code = code;
  }
}
