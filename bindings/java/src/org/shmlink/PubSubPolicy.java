package org.shmlink;

/** What a publish/subscribe {@link Channel} does with a subscriber that falls behind, chosen at
 * creation ({@link Channel#createPubSub}). */
public enum PubSubPolicy {
  /** Publishers wait for room, bounded by the slowest live subscriber; a subscriber that died
   * stalls nobody. */
  BLOCK(shmlink.SHMLINK_CHANNEL_PUBSUB),
  /** Publishers never wait for subscribers: they overwrite the oldest messages, and a subscriber
   * that was overtaken goes on at the oldest message left, counting what it lost
   * ({@link Channel#lost()}). */
  OVERWRITE(shmlink.SHMLINK_CHANNEL_PUBSUB | shmlink.SHMLINK_CHANNEL_OVERWRITE);

  final int flags;

  PubSubPolicy(int flags) {
    this.flags = flags;
  }
}
