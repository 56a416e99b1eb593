package org.shmlink;

/** Who besides the creating user may open a new object ({@code SHMLINK_SHARE_*}). On Linux,
 * {@code Local\} names live in a per-user namespace, so this matters for {@code Global\} names
 * there; on Windows it sets the object's DACL for either prefix. */
public enum Sharing {
  /** Only the creating user (the default). */
  CURRENT_USER(0),
  /** The creating user's group too. */
  GROUP(shmlink.SHMLINK_SHARE_GROUP),
  /** Every user of the machine. */
  ALL_USERS(shmlink.SHMLINK_SHARE_ALL_USERS);

  final int flags;

  Sharing(int flags) {
    this.flags = flags;
  }
}
